#!/usr/bin/env bash
# Renders the committed icon files from the SVG: hicolor PNGs, a Windows .ico and a macOS .icns.
# Needs rsvg-convert (Debian: librsvg2-bin) and python3. Run after editing the SVG and commit the results.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
base=io.github.modelmaestro.ModelMaestro
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for size in 16 32 48 64 128 256; do
    rsvg-convert -w $size -h $size $base.svg -o $base-$size.png
done
for size in 512 1024; do
    rsvg-convert -w $size -h $size $base.svg -o "$tmp/$size.png"
done

python3 - "$base" "$tmp" <<'PY'
import struct, sys, zlib

base, tmp = sys.argv[1], sys.argv[2]

def png_bytes(size):
    return open(f'{tmp}/{size}.png' if size >= 512 else f'{base}-{size}.png', 'rb').read()

def rgba_rows(data):
    """Decodes an 8-bit RGBA, non-interlaced PNG (what rsvg-convert writes) into rows of bytes."""
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, colour, _, _, interlace = struct.unpack('>IIBBBBB', chunk)
            assert depth == 8 and colour == 6 and interlace == 0
        elif kind == b'IDAT':
            idat += chunk
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * 4
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b, c = prev[i], prev[i - 4] if i >= 4 else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows

def dib(data):
    """An uncompressed 32-bit icon image: older tools (NSIS among them) do not read PNG entries below 256 px."""
    width, height, rows = rgba_rows(data)
    header = struct.pack('<IiiHHIIiiII', 40, width, height * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = b''.join(bytes(v for i in range(0, len(r), 4) for v in (r[i + 2], r[i + 1], r[i], r[i + 3]))
                      for r in reversed(rows))
    return header + pixels + bytes(((width + 31) // 32) * 4 * height)

entries = [(s, dib(png_bytes(s))) for s in (16, 32, 48)] + [(256, png_bytes(256))]
ico = struct.pack('<HHH', 0, 1, len(entries))
offset = 6 + 16 * len(entries)
for size, data in entries:
    ico += struct.pack('<BBBBHHII', size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
    offset += len(data)
open('model-maestro.ico', 'wb').write(ico + b''.join(d for _, d in entries))

kinds = [(b'icp4', 16), (b'icp5', 32), (b'icp6', 64), (b'ic07', 128), (b'ic08', 256), (b'ic09', 512), (b'ic10', 1024)]
body = b''.join(k + struct.pack('>I', 8 + len(png_bytes(s))) + png_bytes(s) for k, s in kinds)
open('model-maestro.icns', 'wb').write(b'icns' + struct.pack('>I', 8 + len(body)) + body)
PY
