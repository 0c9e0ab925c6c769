/** A small reader of Hydra override values, enough to check what run_recipe.py receives. */
export class HFloat {
  constructor(readonly float: number) {}
}
export type HydraJs = null | boolean | number | string | HFloat | HydraJs[] | { [k: string]: HydraJs };

/** The number in an int or float value. */
export function num(v: HydraJs | undefined): number {
  return v instanceof HFloat ? v.float : Number(v);
}

export function parseOverride(word: string): { key: string; value: HydraJs; raw: string } {
  const eq = word.indexOf('=');
  if (eq <= 0) throw new Error(`not an override: ${word}`);
  const key = word.slice(0, eq);
  const raw = word.slice(eq + 1);
  const p = new Reader(raw);
  const value = p.value(true);
  p.ws();
  if (!p.done()) throw new Error(`trailing text in ${word} at ${p.pos}`);
  return { key, value, raw };
}

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  done() {
    return this.pos >= this.s.length;
  }
  ws() {
    while (this.s[this.pos] === ' ' || this.s[this.pos] === '\t') this.pos++;
  }
  value(top: boolean): HydraJs {
    this.ws();
    const c = this.s[this.pos];
    if (c === '[') return this.list();
    if (c === '{') return this.dict();
    if (c === "'" || c === '"') return this.quoted(c);
    const cast = /^(float|int|str|bool)\(/.exec(this.s.slice(this.pos));
    if (cast) {
      this.pos += cast[0].length;
      const inner = this.value(false);
      this.ws();
      if (this.s[this.pos++] !== ')') throw new Error(`bad ${cast[1]}() in ${this.s}`);
      if (cast[1] === 'float') return new HFloat(num(inner));
      if (cast[1] === 'int') return Math.trunc(num(inner));
      if (cast[1] === 'str') return String(inner instanceof HFloat ? inner.float : inner);
      return Boolean(inner);
    }
    const stop = top ? /[,\[\]{}()'"]/ : /[,\])}]/;
    let start = this.pos;
    while (!this.done() && !stop.test(this.s[this.pos])) this.pos++;
    if (top && !this.done()) throw new Error(`character Hydra does not allow unquoted: ${this.s[this.pos]} in ${this.s}`);
    const text = this.s.slice(start, this.pos).trim();
    return primitive(text);
  }
  list(): HydraJs[] {
    this.pos++;
    const out: HydraJs[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(false));
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') throw new Error(`bad list in ${this.s}`);
    }
  }
  dict(): { [k: string]: HydraJs } {
    this.pos++;
    const out: { [k: string]: HydraJs } = {};
    for (;;) {
      this.ws();
      const m = /^[A-Za-z0-9_.-]+/.exec(this.s.slice(this.pos));
      if (!m) throw new Error(`bad dict key in ${this.s}`);
      this.pos += m[0].length;
      this.ws();
      if (this.s[this.pos++] !== ':') throw new Error(`missing : in ${this.s}`);
      out[m[0]] = this.value(false);
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return out;
      if (c !== ',') throw new Error(`bad dict in ${this.s}`);
    }
  }
  quoted(q: string): string {
    this.pos++;
    let out = '';
    while (!this.done()) {
      const c = this.s[this.pos];
      if (c === '\\' && (this.s[this.pos + 1] === q || this.s[this.pos + 1] === '\\')) {
        out += this.s[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (c === q) {
        this.pos++;
        return out;
      }
      out += c;
      this.pos++;
    }
    throw new Error(`unterminated quote in ${this.s}`);
  }
}

function primitive(text: string): HydraJs {
  if (/^null$/i.test(text)) return null;
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  if (/^[+-]?(0|[1-9][0-9_]*)$/.test(text)) return Number(text.replace(/_/g, ''));
  if (/^[+-]?(([0-9][0-9_]*)?\.[0-9]+([eE][+-]?[0-9]+)?|[0-9][0-9_]*\.([eE][+-]?[0-9]+)?|[0-9][0-9_]*[eE][+-]?[0-9]+)$/.test(text)) return new HFloat(Number(text.replace(/_/g, '')));
  if (/^[+-]?(inf|nan)$/i.test(text)) return new HFloat(Number(text.replace(/inf/i, 'Infinity').replace(/nan/i, 'NaN')));
  return text;
}
