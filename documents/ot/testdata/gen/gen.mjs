// gen.mjs writes the conformance vectors for plenary/documents/ot from the reference
// implementation, the npm package ot-text-unicode (version pinned in package.json).
//
//   npm ci && node gen.mjs            # writes ../vectors.jsonl
//
// The output is deterministic: a seeded PRNG drives everything, so re-running it with the same
// package version and seed gives the same bytes (the Go tests check the file, not this script).
//
// Every line of vectors.jsonl is one JSON object, written with JSON.stringify so that each op
// inside it is byte-for-byte what JSON.stringify(op) gives in a browser: the Go tests also check
// that decoding and re-encoding an op reproduces those bytes. Lines:
//
//   {"kind":"meta", ...}                      generator, package version, seed, type name and uri
//   {"kind":"case", ...}                      a random document, ops a, b (on doc) and c (on
//                                             apply(doc, a)) and everything the type computes
//                                             from them (see randomCase below)
//   {"kind":"edge", ...}                      the same, for a hand-picked document and ops
//   {"kind":"error", ...}                     a call that must throw, with its classification
//   {"kind":"wire", ...}                      a JSON op that the reference rejects as malformed
//
// An outcome that may throw is recorded as {"v": value} or {"err": class, "msg": message}.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const require = createRequire(import.meta.url)
const { type } = require('ot-text-unicode')
const refVersion = require('ot-text-unicode/package.json').version

const SEED = 0x9e3779b9
const RANDOM_CASES = 2000
const here = path.dirname(fileURLToPath(import.meta.url))
const outFile = path.join(here, '..', 'vectors.jsonl')

// mulberry32: small, fast, good enough for test data, and identical on every JS engine.
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = mulberry32(SEED)
const int = n => Math.floor(rand() * n) // 0 <= int(n) < n
const chance = p => rand() < p
const pick = xs => xs[int(xs.length)]

// Text pools. Units are picked whole, but ops cut documents anywhere between code points, so
// ZWJ sequences, flags, skin tones and combining marks get split as a real editor would split them.
const pools = {
  ascii: ['a', 'b', 'c', 'x', 'y', 'z', ' ', 'the ', 'chair ', 'Report', '\n', '.', ',', '0', '42',
    'Agenda item 3', '"', '\\', '/', '<', '>', '&', '\t'],
  arabic: ['مرحبا', 'سلام', 'ال', 'تقرير', 'الرئيس', 'بِسْمِ', 'ٱلرَّحْمَٰن', '\u064e', '٣', '،'],
  chinese: ['你好', '世界', '主席', '报告', '会议', '。', '，', '议程'],
  emoji: ['😀', '🎉', '👍', '👍🏽', '👩‍👩‍👧', '🧑🏾‍💻', '🏳️‍🌈', '🇫🇷', '🇯🇵', '🇺🇳', '❤️', '✋🏿', '👨‍👩‍👧‍👦'],
  combining: ['e\u0301', 'n\u0303', 'a\u0308\u0304', '\u0301', 'Z\u0351\u0362', 'o\u0302'],
  astral: ['𝒳', '𠜎', '𐍈', '𝔘𝔫𝔦', '🀄', '𝄞'],
  // JSON escaping corner cases (JSON.stringify escapes the C0 controls only), BOM, RTL mark, ZWJ.
  special: ['\u0000', '\u0001', '\b', '\f', '\u001f', '\u007f', '\u2028', '\u2029', '\ufeff',
    '\u200f', '\u200d', '\ud7ff', '\ue000', '\uffff'],
}
const poolWeights = [['ascii', 6], ['arabic', 2], ['chinese', 2], ['emoji', 2], ['combining', 1],
  ['astral', 1], ['special', 1]]
const totalWeight = poolWeights.reduce((s, [, w]) => s + w, 0)
function unit() {
  let r = int(totalWeight)
  for (const [name, w] of poolWeights) {
    if (r < w) return pick(pools[name])
    r -= w
  }
  throw Error('unreachable')
}
function text(maxUnits) {
  let s = ''
  const n = 1 + int(maxUnits)
  for (let i = 0; i < n; i++) s += unit()
  return s
}
function randomDoc() {
  const r = rand()
  if (r < 0.05) return ''
  if (r < 0.8) return text(12)
  if (r < 0.97) return text(40)
  return text(150)
}

const cps = s => Array.from(s) // code points
const uniLen = s => cps(s).length
const clone = x => structuredClone(x) // normalize & co. mutate delete objects they are given

// randomOp makes an op that checkOp accepts for a document of docLen code points (deleted text
// is taken from docCps). With raw, it may keep adjacent inserts and deletes and mixed delete forms
// (valid, but not what normalize produces); otherwise it is normalized. overlong lets a delete
// run past the end of the document, which apply tolerates.
function randomOp(docCps, { raw = false, overlong = false } = {}) {
  const op = []
  let pos = 0
  const n = docCps.length
  const maxSteps = 1 + int(6)
  for (let step = 0; step < maxSteps; step++) {
    const r = rand()
    if (r < 0.35 && pos < n) {
      const k = 1 + int(Math.min(n - pos, chance(0.2) ? n : 6))
      if (typeof op[op.length - 1] === 'number') op[op.length - 1] += k
      else op.push(k)
      pos += k
    } else if (r < 0.65) {
      op.push(text(3))
    } else if (pos < n || (overlong && chance(0.5))) {
      let k = 1 + int(Math.max(1, Math.min(n - pos, 6)))
      if (overlong && chance(0.3)) k += 1 + int(4)
      const deleted = docCps.slice(pos, pos + k).join('')
      // String form only when it holds the real text (so makeInvertible/invert round-trip).
      const asText = deleted.length > 0 && uniLen(deleted) === k && chance(0.5)
      op.push({ d: asText ? deleted : k })
      pos = Math.min(n, pos + k)
    }
  }
  while (typeof op[op.length - 1] === 'number') op.pop()
  const out = raw ? op : type.normalize(op)
  type.checkOp(out)
  return out
}

// messy makes a non-normalized op equivalent to op: split components, zero-length no-ops,
// mixed delete forms, trailing skips. normalize(messy(op)) exercises every merge rule.
function messy(op) {
  const out = []
  const noop = () => pick([0, '', { d: 0 }, { d: '' }])
  for (const c of op) {
    if (chance(0.2)) out.push(noop())
    if (typeof c === 'number') {
      if (c > 1 && chance(0.5)) {
        const k = 1 + int(c - 1)
        out.push(k, c - k)
      } else out.push(c)
    } else if (typeof c === 'string') {
      const p = cps(c)
      if (p.length > 1 && chance(0.6)) {
        const k = 1 + int(p.length - 1)
        out.push(p.slice(0, k).join(''), p.slice(k).join(''))
      } else out.push(c)
    } else {
      const d = c.d
      const len = typeof d === 'number' ? d : uniLen(d)
      if (len > 1 && chance(0.6)) {
        const k = 1 + int(len - 1)
        const part = (from, to) => (typeof d === 'number' || chance(0.3)
          ? to - from
          : cps(d).slice(from, to).join(''))
        out.push({ d: part(0, k) }, { d: part(k, len) })
      } else out.push({ d: chance(0.2) ? len : d })
    }
  }
  if (chance(0.5)) out.push(1 + int(5))
  if (chance(0.2)) out.push(noop())
  return out
}

// Error classification: the reference throws plain Errors; the class names are what the Go
// tests map to sentinel errors.
function classify(e) {
  const m = e.message
  if (m === 'Op must be an array of components') return 'not-array'
  if (m === 'Delete must be number or string') return 'delete-type'
  if (m === 'Deletes must not be empty') return 'empty-delete'
  if (m === 'Inserts cannot be empty') return 'empty-insert'
  if (m === 'Skip components must be >0') return 'bad-skip'
  if (m === 'Adjacent skip components should be combined') return 'adjacent-skips'
  if (m === 'Op has a trailing skip') return 'trailing-skip'
  if (m === 'The op is too long for this document') return 'too-long'
  if (m.startsWith('Cannot invert text op')) return 'not-invertible'
  if (m.startsWith('side (')) return 'bad-side'
  if (e instanceof TypeError) return 'type-error'
  throw Error('unclassified reference error: ' + m)
}
function outcome(fn) {
  try {
    return { v: fn() }
  } catch (e) {
    return { err: classify(e), msg: e.message }
  }
}

// describe computes everything the vectors record about doc and ops a, b (both on doc) and
// c (on apply(doc, a), or null when that throws).
function describe(doc, a, b, c) {
  const T = (x, y, side) => outcome(() => type.transform(clone(x), clone(y), side))
  const A = (d, op) => outcome(() => type.apply(d, clone(op)))
  const then = (first, fn) => ('v' in first ? fn(first.v) : null)

  const applyA = A(doc, a)
  const applyB = A(doc, b)
  const transform = {
    aLeft: T(a, b, 'left'), aRight: T(a, b, 'right'),
    bLeft: T(b, a, 'left'), bRight: T(b, a, 'right'),
  }
  // Convergence as the Go fuzz test states it: a then b', and b then a'.
  const final = {
    ab: then(applyA, da => then(transform.bLeft, bl => A(da, bl))),
    ba: then(applyB, db => then(transform.aRight, ar => A(db, ar))),
  }
  const C = (x, y) => outcome(() => type.compose(clone(x), clone(y)))
  const compose = {
    ab: then(transform.bLeft, bl => C(a, bl)),
    ba: then(transform.aRight, ar => C(b, ar)),
    ac: c ? C(a, c) : null,
  }
  const applyCompose = {
    ab: then(compose.ab, op => A(doc, op)),
    ba: then(compose.ba, op => A(doc, op)),
    ac: compose.ac ? then(compose.ac, op => A(doc, op)) : null,
  }
  const applyC = c ? then(applyA, da => A(da, c)) : null

  const m = messy(a)
  const normalize = { input: m, output: type.normalize(clone(m)) }

  const len = uniLen(doc)
  const cursorSet = new Set([0, len, len + 1, -1])
  for (let i = 0; i < 4; i++) cursorSet.add(int(len + 3))
  let p = 0
  for (const comp of a) { // component boundaries, where the interesting cases are
    if (typeof comp === 'number') p += comp
    else if (typeof comp === 'object') p += typeof comp.d === 'number' ? comp.d : uniLen(comp.d)
    cursorSet.add(p)
  }
  const positions = [...cursorSet].sort((x, y) => x - y).map(cur => [cur, type.transformPosition(cur, clone(a))])
  const selections = []
  for (let i = 0; i < 3; i++) {
    const sel = [int(len + 2), int(len + 2)]
    selections.push([sel, type.transformSelection(clone(sel), clone(a))])
  }
  const single = int(len + 2)
  selections.push([single, type.transformSelection(single, clone(a))])

  const made = type.makeInvertible(clone(a), doc)
  const inverted = outcome(() => type.invert(clone(made)))
  const invert = {
    isInvertible: type.isInvertible(clone(a)),
    invert: outcome(() => type.invert(clone(a))),
    made,
    inverted,
    undo: then(applyA, da => then(inverted, inv => A(da, inv))),
    strip: type.stripInvertible(clone(made)),
    withDoc: outcome(() => type.invertWithDoc(clone(a), doc)),
  }
  return { doc, a, b, c, applyA, applyB, applyC, transform, final, compose, applyCompose, normalize, positions, selections, invert }
}

function randomCase(id) {
  const doc = randomDoc()
  const d = cps(doc)
  const a = randomOp(d, { raw: chance(0.3), overlong: chance(0.05) })
  const b = randomOp(d, { raw: chance(0.3), overlong: chance(0.05) })
  let c = null
  try {
    c = randomOp(cps(type.apply(doc, clone(a))), { raw: chance(0.3) })
  } catch { /* a does not apply: no c */ }
  return { kind: 'case', id, ...describe(doc, a, b, c) }
}

// Hand-picked cases: the corners a random walk reaches rarely.
const edges = [
  ['empty doc, empty ops', '', [], [], []],
  ['concurrent inserts at the same place', 'ab', [1, 'X'], [1, 'Y'], ['Z']],
  ['non-normalized inserts: left takes only the first component', 'ab', ['a', 'b'], ['x'], []],
  ['both delete the same text', 'hello', [1, { d: 3 }], [2, { d: 'll' }], [1, 'Q']],
  ['delete vs insert inside it', 'hello', [{ d: 5 }], [2, 'XY'], ['!']],
  ['insert at end of doc', 'abc', [3, '👩‍👩‍👧'], [3, 'e\u0301'], [{ d: 1 }]],
  ['delete across a ZWJ sequence', '👩‍👩‍👧!', [2, { d: 2 }], [1, { d: '\u200d👩' }], [1, '🇫🇷']],
  ['mixed delete forms merge to a number', 'abcdef', [{ d: 'ab' }, { d: 2 }], [{ d: 1 }, { d: 'bc' }], [1, { d: 1 }]],
  ['string deletes merge to a string', 'abcdef', [{ d: 'ab' }, { d: 'cd' }], [3, { d: 'd' }, { d: 'e' }], [{ d: 'ef' }]],
  ['delete past end of doc (apply truncates)', 'abc', [2, { d: 5 }], [{ d: 9 }], ['x']],
  ['insert then delete, delete then insert', 'مرحبا', ['بِ', { d: 'م' }], [{ d: 1 }, '你'], [2, { d: 1 }]],
  ['astral everywhere', '𝒳𠜎𐍈🀄', [1, { d: '𠜎' }, 1, '𝄞'], [2, '𝔘', { d: 1 }], [3, '𝒳']],
  ['special characters', '\u0000\u2028<&>\u001f', [1, '\b\f', { d: 1 }], [3, { d: '&' }, '\u007f\\"'], ['\ufeff']],
  ['big skips', 'x'.repeat(100), [99, 'y'], [50, { d: 50 }], [{ d: 100 }]],
  ['deleted text is not compared with the document', 'abc', [{ d: 'xy' }], [1, 'z'], ['q']],
  ['ops end before the end of the doc', 'hello world', [{ d: 1 }, 'H'], [6, { d: 'w' }, 'W'], [5, ',']],
]

const errorCalls = [] // [fn, args]: reference calls that must throw
const errorCase = (fn, args) => {
  const o = outcome(() => type[fn](...clone(args)))
  if (!('err' in o)) throw Error(`expected ${fn}(${JSON.stringify(args)}) to throw`)
  return { kind: 'error', fn, args, err: o.err, msg: o.msg }
}
const checkErrors = [
  [0], [-3], [1, 0], ['a', 0, 'b'], [1, 2, 'x'], [2, 'x', 3], [3], ['x', 1], [''], ['a', ''],
  [{ d: 0 }], [{ d: -2 }], [{ d: '' }], [1, { d: 0 }, 'x'], [-1, 'x'], [1, 1],
]
for (const op of checkErrors) {
  errorCalls.push(['apply', ['abc', op]], ['checkOp', [op]],
    ['transform', [op, [1, 'x'], 'left']], ['transform', [[1, 'x'], op, 'right']],
    ['compose', [op, ['y']]], ['compose', [['y'], op]])
}
errorCalls.push(
  ['apply', ['abc', [4, 'x']]], ['apply', ['abc', [3, { d: 1 }, 1, 'x']]],
  ['apply', ['', [1, 'x']]], ['apply', ['👩‍👩‍👧', [6, 'x']]], ['apply', ['e\u0301', [{ d: 1 }, 2, 'x']]],
  ['apply', ['abc', [{ d: 5 }, 1, 'x']]],
  ['invert', [[{ d: 2 }]]], ['invert', [[1, { d: 'a' }, 'x', { d: 1 }]]], ['invert', [[{ d: 0 }]]],
)
const errors = errorCalls.map(([fn, args]) => errorCase(fn, args))

// Malformed JSON ops the reference rejects (the Go decoder must reject them too). Ops the
// reference silently accepts although they are not text-unicode ops (booleans, fractional
// numbers, extra keys) are not here: the Go decoder is deliberately stricter, see json_test.go.
const wire = [
  '{"d":1}', '"abc"', '5', 'null', '[null]', '[{}]', '[{"d":null}]', '[{"d":true}]', '[{"d":[1]}]',
  '[{"x":1}]', '[1,{"d":{}}]',
].map(json => {
  const o = outcome(() => type.apply('abc', JSON.parse(json)))
  if (!('err' in o)) throw Error('expected the reference to reject ' + json)
  return { kind: 'wire', json, err: o.err, msg: o.msg }
})

const lines = []
lines.push({
  kind: 'meta', generator: 'documents/ot/testdata/gen/gen.mjs', package: 'ot-text-unicode',
  version: refVersion, seed: SEED, name: type.name, uri: type.uri, cases: RANDOM_CASES,
})
edges.forEach(([name, doc, a, b, c], i) => {
  type.checkOp(a); type.checkOp(b); type.checkOp(c)
  lines.push({ kind: 'edge', id: i, name, ...describe(doc, a, b, c) })
})
for (let i = 0; i < RANDOM_CASES; i++) lines.push(randomCase(i))
lines.push(...errors, ...wire)

writeFileSync(outFile, lines.map(l => JSON.stringify(l)).join('\n') + '\n')
console.log(`wrote ${lines.length} lines to ${path.relative(process.cwd(), outFile)} (ot-text-unicode ${refVersion})`)
