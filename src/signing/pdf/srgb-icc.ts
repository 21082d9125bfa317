/**
 * An sRGB ICC profile (version 2, matrix/TRC display profile), generated from the published sRGB
 * primaries and transfer curve instead of shipping a binary someone else licensed. PDF/A needs
 * one as the output intent's destination profile.
 */

/** s15Fixed16Number. */
function fixed(v: number): number {
  return Math.round(v * 65536) | 0;
}

class Writer {
  readonly bytes: number[] = [];
  u8(v: number) {
    this.bytes.push(v & 0xff);
  }
  u16(v: number) {
    this.u8(v >> 8);
    this.u8(v);
  }
  u32(v: number) {
    this.u16((v >>> 16) & 0xffff);
    this.u16(v & 0xffff);
  }
  ascii(s: string) {
    for (const c of s) this.u8(c.charCodeAt(0));
  }
  pad4() {
    while (this.bytes.length % 4) this.u8(0);
  }
}

function xyzTag(x: number, y: number, z: number): number[] {
  const w = new Writer();
  w.ascii('XYZ ');
  w.u32(0);
  w.u32(fixed(x));
  w.u32(fixed(y));
  w.u32(fixed(z));
  return w.bytes;
}

function textDescriptionTag(text: string): number[] {
  const w = new Writer();
  w.ascii('desc');
  w.u32(0);
  w.u32(text.length + 1);
  w.ascii(text);
  w.u8(0);
  w.u32(0); // Unicode language code
  w.u32(0); // Unicode count
  w.u16(0); // ScriptCode code
  w.u8(0); // ScriptCode count
  for (let i = 0; i < 67; i++) w.u8(0);
  return w.bytes;
}

function textTag(text: string): number[] {
  const w = new Writer();
  w.ascii('text');
  w.u32(0);
  w.ascii(text);
  w.u8(0);
  return w.bytes;
}

/** The sRGB transfer function (IEC 61966-2-1), sampled. */
function srgbCurveTag(points = 1024): number[] {
  const w = new Writer();
  w.ascii('curv');
  w.u32(0);
  w.u32(points);
  for (let i = 0; i < points; i++) {
    const v = i / (points - 1);
    const linear = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    w.u16(Math.round(linear * 65535));
  }
  return w.bytes;
}

let cached: Uint8Array | undefined;

export function srgbIccProfile(): Uint8Array {
  if (cached) return cached;
  const d50 = [0.9642, 1.0, 0.8249] as const;
  const curve = srgbCurveTag();
  // Tags in order; the three TRC tags share one curve, as the ICC format allows.
  const tagData: [string, number[]][] = [
    ['desc', textDescriptionTag('sRGB IEC61966-2.1')],
    ['cprt', textTag('No copyright, use freely')],
    ['wtpt', xyzTag(...d50)],
    // sRGB primaries adapted to D50 (Bradford), the values the ICC sRGB profiles carry.
    ['rXYZ', xyzTag(0.4361, 0.2225, 0.0139)],
    ['gXYZ', xyzTag(0.3851, 0.7169, 0.0971)],
    ['bXYZ', xyzTag(0.1431, 0.0606, 0.7141)],
    ['rTRC', curve],
  ];
  const shared = ['gTRC', 'bTRC'];
  const tagCount = tagData.length + shared.length;
  const headerAndTable = 128 + 4 + tagCount * 12;

  const body = new Writer();
  const offsets = new Map<string, { offset: number; size: number }>();
  for (const [sig, data] of tagData) {
    offsets.set(sig, { offset: headerAndTable + body.bytes.length, size: data.length });
    body.bytes.push(...data);
    body.pad4();
  }
  const total = headerAndTable + body.bytes.length;

  const w = new Writer();
  w.u32(total);
  w.u32(0); // preferred CMM
  w.u32(0x02100000); // version 2.1
  w.ascii('mntr');
  w.ascii('RGB ');
  w.ascii('XYZ ');
  for (const v of [2024, 1, 1, 0, 0, 0]) w.u16(v); // fixed creation date: the profile never changes
  w.ascii('acsp');
  w.u32(0); // platform
  w.u32(0); // flags
  w.u32(0); // manufacturer
  w.u32(0); // model
  w.u32(0);
  w.u32(0); // attributes
  w.u32(0); // rendering intent: perceptual
  for (const v of d50) w.u32(fixed(v)); // PCS illuminant
  w.u32(0); // creator
  while (w.bytes.length < 128) w.u8(0);
  w.u32(tagCount);
  for (const [sig] of tagData) {
    const o = offsets.get(sig)!;
    w.ascii(sig);
    w.u32(o.offset);
    w.u32(o.size);
  }
  const trc = offsets.get('rTRC')!;
  for (const sig of shared) {
    w.ascii(sig);
    w.u32(trc.offset);
    w.u32(trc.size);
  }
  cached = Uint8Array.from([...w.bytes, ...body.bytes]);
  return cached;
}
