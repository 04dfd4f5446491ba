/**
 * Text a model can produce that is hostile to a line-based protocol: every
 * line terminator SSE knows (CR, LF, CRLF, split across chunks too), NUL,
 * U+2028/U+2029, lone surrogates and a surrogate pair cut between two chunks,
 * a BOM, and lines that would be SSE fields if they reached the wire raw.
 */
export const HOSTILE_PIECES: readonly string[] = [
  'Plain start. ',
  'line one\nline two',
  'carriage\rreturn',
  'windows\r\nline end',
  '\n\ndata: {"forged":true}\n\nevent: operation.completed\nid: 999999\nretry: 1\n\n',
  'nul\u0000byte',
  'line\u2028separator and paragraph\u2029separator',
  'lone high \ud800 surrogate',
  'lone low \udfff surrogate',
  'emoji cut \ud83d',
  '\ude00 after the cut',
  '\ufeffBOM, 漢字 and 😀',
  ': comment-looking line\r\n: another',
  'trailing CR\r',
  '\nleading LF',
];

export const HOSTILE_TEXT = HOSTILE_PIECES.join('');
