// One line for a failed zod parse, naming each bad field: "where: path: message; path: message".
import type { z } from "zod";

export function formatZodError(where: string, e: z.ZodError): string {
  const parts = e.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
  return `${where}: ${parts.join("; ")}`;
}
