#!/usr/bin/python3
"""Pixel-parity fixture for src/video: Pillow BICUBIC resizes, the Hugging Face rescale/normalise in numpy,
and PyAV rgb24 decodes of a short clip, written to test/fixtures/video/pixels.bin.

Run with Debian's python (python3-pil, python3-numpy, python3-av):
    /usr/bin/python3 tools/parity/video_pixels.py
File layout: uint32 LE header length, a JSON header {meta, entries: {name: {offset, length, dtype, shape}}},
then the blobs. Test images are made by an integer-only generator that test/video/synth-image.ts repeats.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import PIL
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures", "video", "pixels.bin")
FFMPEG = os.environ.get("HOURLLAVA_FFMPEG") or os.path.join(ROOT, "node_modules", "@ffmpeg-installer", "linux-x64", "ffmpeg")

# (name, width, height, seed, store the input bytes)
IMAGES = [
    ("a", 96, 54, 1, True),
    ("b", 50, 70, 2, True),
    ("c", 7, 5, 3, True),      # pure upscale
    ("d", 32, 70, 4, True),    # width already 32: Pillow skips the horizontal pass
    ("e", 70, 32, 5, True),    # height already 32: Pillow skips the vertical pass
    ("big", 1280, 720, 6, False),  # the usual case: downscale a 720p frame to 384
]
SIZES = [32, 384]
CROP_ROWS = (184, 200)  # rows of the 384 output stored verbatim; the whole output is checked by sha256
CLIP_FRAMES = [0, 17, 49]


def synth_image(w, h, seed):
    """Gradients + LCG noise + a hard-edged checkerboard (to exercise clipping); integers only."""
    out = bytearray(w * h * 3)
    state = seed & 0xFFFFFFFF
    i = 0
    for y in range(h):
        for x in range(w):
            checker = x < w // 3 and y < h // 2
            on = ((x >> 2) + (y >> 2)) & 1
            for c in range(3):
                state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
                if checker:
                    v = 255 if on else 0
                else:
                    if c == 0:
                        base = (x * 255) // max(w - 1, 1)
                    elif c == 1:
                        base = (y * 255) // max(h - 1, 1)
                    else:
                        base = ((x + y) * 255) // max(w + h - 2, 1)
                    v = min(255, max(0, base + ((state >> 24) & 63) - 32))
                out[i] = v
                i += 1
    return bytes(out)


def hf_rescale_normalize(u8_hwc):
    # transformers.image_transforms.rescale then normalize, channels first, as SigLipImageProcessor runs them.
    x = (u8_hwc.astype(np.float64) * (1 / 255)).astype(np.float32)
    mean = np.array([0.5, 0.5, 0.5], dtype=np.float32)
    std = np.array([0.5, 0.5, 0.5], dtype=np.float32)
    x = (x - mean) / std
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def main():
    blobs = []
    entries = {}
    offset = 0

    def add(name, data, dtype, shape):
        nonlocal offset
        data = bytes(data)
        entries[name] = {"offset": offset, "length": len(data), "dtype": dtype, "shape": list(shape)}
        blobs.append(data)
        offset += len(data)

    images = []
    for name, w, h, seed, store in IMAGES:
        raw = synth_image(w, h, seed)
        img = {"name": name, "width": w, "height": h, "seed": seed, "sha256": hashlib.sha256(raw).hexdigest(), "outputs": {}}
        if store:
            add(f"in/{name}", raw, "uint8", (h, w, 3))
        pil = Image.fromarray(np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 3), "RGB")
        for s in SIZES:
            # reducing_gap=None, as transformers' resize passes it.
            out = np.asarray(pil.resize((s, s), resample=Image.BICUBIC, reducing_gap=None), dtype=np.uint8)
            rec = {"sha256": hashlib.sha256(out.tobytes()).hexdigest()}
            if s <= 64:
                add(f"out/{name}/{s}", out.tobytes(), "uint8", (s, s, 3))
            else:
                r0, r1 = CROP_ROWS
                add(f"out/{name}/{s}/rows{r0}-{r1}", out[r0:r1].tobytes(), "uint8", (r1 - r0, s, 3))
                rec["rows"] = [r0, r1]
            img["outputs"][str(s)] = rec
            if name == "a" and s == 32:
                add("float/a/32", hf_rescale_normalize(out).tobytes(), "float32", (3, s, s))
        images.append(img)

    lut = hf_rescale_normalize(np.arange(256, dtype=np.uint8).reshape(1, 256, 1).repeat(3, axis=2))[0, 0]
    add("normalize_lut", lut.astype(np.float32).tobytes(), "float32", (256,))

    # A short clip made by the same ffmpeg binary the TS code runs, decoded by PyAV as the official
    # feature-extraction script does (container.decode(video=0), frame.to_ndarray(format="rgb24")).
    import av

    with tempfile.TemporaryDirectory() as tmp:
        clip = os.path.join(tmp, "clip.mp4")
        subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=96x54:rate=25:duration=2",
                        "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-threads", "1", clip], check=True)
        clip_bytes = open(clip, "rb").read()
        add("clip/mp4", clip_bytes, "uint8", (len(clip_bytes),))
        container = av.open(clip)
        decoded = []
        for i, frame in enumerate(container.decode(video=0)):
            if i in CLIP_FRAMES:
                decoded.append((i, frame.to_ndarray(format="rgb24")))
        container.close()
        for i, arr in decoded:
            add(f"clip/frame{i}", arr.tobytes(), "uint8", arr.shape)

    header = {
        "meta": {
            "generator": "tools/parity/video_pixels.py",
            "pillow": PIL.__version__,
            "numpy": np.__version__,
            "pyav": av.__version__,
            "crop_rows": list(CROP_ROWS),
            "clip_frames": CLIP_FRAMES,
        },
        "images": images,
        "entries": entries,
    }
    head = json.dumps(header, sort_keys=True).encode()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp_out = OUT + ".tmp"
    with open(tmp_out, "wb") as f:
        f.write(struct.pack("<I", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp_out, OUT)
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes, {len(entries)} entries", file=sys.stderr)


if __name__ == "__main__":
    main()
