"""The PyTorch side of test/train/torch-parity.test.ts: runs an export of test/fixtures/train-torch/micro-config.json
with train.py and writes what the TypeScript trainer must reproduce on the same export (losses, gradient norms,
the first step's gradients, the trained weights after the last step).

    npx hourllava train --config test/fixtures/train-torch/micro-config.json --export /tmp/micro-export --out /tmp/none
    /usr/bin/python3 tools/train_torch/make_fixture.py /tmp/micro-export test/fixtures/train-torch/micro.safetensors
"""
import json
import math
import os
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "parity"))
from safetensors_file import write_safetensors  # noqa: E402
from train import train  # noqa: E402


def main():
    export_dir, out_path = sys.argv[1], sys.argv[2]
    torch.set_num_threads(1)
    losses, norms, first = [], [], {}

    def record(step, loss, grads):
        losses.append(loss)
        norms.append(math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads.values())))
        if not first:
            first.update({n: g.detach().clone() for n, g in grads.items()})

    with tempfile.TemporaryDirectory() as run:
        _, weights = train(export_dir, run, "cpu", log=lambda s: None, record=record)
    with open(os.path.join(export_dir, "manifest.json")) as f:
        m = json.load(f)
    trained = [n for n, _ in m["trained"]]
    tensors = {f"grad0.{n}": first[n] for n in trained}
    tensors.update({f"final.{n}": weights[n].detach() for n in trained})
    tensors["losses"] = torch.tensor(losses, dtype=torch.float64).float()
    tensors["grad_norms"] = torch.tensor(norms, dtype=torch.float64).float()
    write_safetensors(out_path, tensors, {"contentSha256": m["contentSha256"], "configHash": m["configHash"], "torch": torch.__version__})
    print(f"wrote {out_path}: losses {losses}")


if __name__ == "__main__":
    main()
