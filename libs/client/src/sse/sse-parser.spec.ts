import { SseEvent, SseParser } from './sse-parser';

interface Parsed {
  events: Pick<SseEvent, 'type' | 'data' | 'lastEventId' | 'id'>[];
  retries: number[];
  lastEventId: string;
}

function parse(chunks: Uint8Array[]): Parsed {
  const result: Parsed = { events: [], retries: [], lastEventId: '' };
  const parser = new SseParser({
    onEvent: (e) => result.events.push({ type: e.type, data: e.data, lastEventId: e.lastEventId, id: e.id }),
    onRetry: (ms) => result.retries.push(ms),
  });
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  result.lastEventId = parser.lastEventId;
  return result;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const BOM = '\uFEFF';

function msg(data: string, lastEventId = '', id?: string, type = 'message') {
  return { type, data, lastEventId, id };
}

interface Case {
  name: string;
  input: string | Uint8Array;
  events: Parsed['events'];
  retries?: number[];
  lastEventId?: string;
}

// The first five inputs are the examples of the HTML standard, §9.2.5–9.2.6.
const CASES: Case[] = [
  {
    name: 'spec: stock ticker, multi-line data joined with LF',
    input: 'data: YHOO\ndata: +2\ndata: 10\n\n',
    events: [msg('YHOO\n+2\n10')],
  },
  {
    name: 'spec: comment, ids, an empty id resets, only one leading space is removed',
    input: ': test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n',
    events: [msg('first event', '1', '1'), msg('second event', '', ''), msg(' third event', '', undefined)],
  },
  {
    name: 'spec: empty data lines make events; the unterminated last one is dropped',
    input: 'data\n\ndata\ndata\n\ndata:',
    events: [msg(''), msg('\n')],
  },
  {
    name: 'spec: with and without the space after the colon',
    input: 'data:test\n\ndata: test\n\n',
    events: [msg('test'), msg('test')],
  },
  {
    name: 'spec: event types',
    input: 'event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n',
    events: [msg('73857293', '', undefined, 'add'), msg('2153', '', undefined, 'remove'), msg('113411', '', undefined, 'add')],
  },
  {
    name: 'CR line ends',
    input: 'id: 7\revent: operation.content\rdata: a\rdata: b\r\r',
    events: [msg('a\nb', '7', '7', 'operation.content')],
  },
  {
    name: 'CRLF line ends',
    input: 'id: 7\r\nevent: x.y\r\ndata: a\r\n\r\n',
    events: [msg('a', '7', '7', 'x.y')],
  },
  {
    name: 'mixed line ends; LF CR is two line ends',
    input: 'data: a\n\rdata: b\r\n\ndata: c\r\r',
    events: [msg('a'), msg('b'), msg('c')],
  },
  {
    name: 'one leading BOM is stripped',
    input: `${BOM}data: x\n\n`,
    events: [msg('x')],
  },
  {
    name: 'a second BOM is content: the field name is no longer "data"',
    input: `${BOM}${BOM}data: x\n\ndata: y\n\n`,
    events: [msg('y')],
  },
  {
    name: 'a BOM inside a value is kept',
    input: `data: ${BOM}x\n\n`,
    events: [msg(`${BOM}x`)],
  },
  {
    name: 'retry: digits only',
    input: 'retry: 2000\n\nretry: 10a\nretry: -1\nretry: 1.5\nretry:\nretry:  3\nretry: 0\n\n',
    events: [],
    retries: [2000, 0],
  },
  {
    name: 'retry with a BOM is not digits',
    input: `retry: ${BOM}100\n\n`,
    events: [],
    retries: [],
  },
  {
    name: 'an id containing NUL is ignored',
    input: 'id: 5\ndata: a\n\nid: 6\u00007\ndata: b\n\n',
    events: [msg('a', '5', '5'), msg('b', '5', undefined)],
  },
  {
    name: 'an event without id keeps the previous last event id',
    input: 'id: 41\ndata: a\n\nevent: heartbeat\ndata: {}\n\n',
    events: [msg('a', '41', '41'), msg('{}', '41', undefined, 'heartbeat')],
  },
  {
    name: 'an id-only block dispatches nothing but sets the last event id',
    input: 'id: 9\n\n',
    events: [],
    lastEventId: '9',
  },
  {
    name: 'the id of an unterminated event at end of stream is not applied',
    input: 'id: 1\ndata: a\n\nid: 2\ndata: b\n',
    events: [msg('a', '1', '1')],
    lastEventId: '1',
  },
  {
    name: 'a field name without colon has an empty value; unknown fields are ignored',
    input: 'data\nfoo: bar\nevent\n\n',
    events: [msg('')],
  },
  {
    name: 'field names are case-sensitive',
    input: 'Data: x\nDATA: y\n\n',
    events: [],
  },
  {
    name: 'a colon in the value is kept',
    input: 'data: {"a":"b: c"}\n\n',
    events: [msg('{"a":"b: c"}')],
  },
  {
    name: 'a comment between fields',
    input: 'data: a\n: keep-alive\ndata: b\n\n',
    events: [msg('a\nb')],
  },
  {
    name: 'multi-byte characters',
    input: 'data: héllo ☃ 𝄞 日本\n\n',
    events: [msg('héllo ☃ 𝄞 日本')],
  },
  {
    name: 'invalid UTF-8 becomes U+FFFD',
    input: new Uint8Array([...bytes('data: a'), 0xff, ...bytes('b\n\n')]),
    events: [msg('a\uFFFDb')],
  },
  {
    name: 'empty stream',
    input: '',
    events: [],
  },
];

function splitEverywhere(all: Uint8Array): Uint8Array[][] {
  const splits: Uint8Array[][] = [];
  for (let i = 1; i < all.length; i++) splits.push([all.slice(0, i), all.slice(i)]);
  return splits;
}

describe('SseParser', () => {
  describe.each(CASES)('$name', (c) => {
    const input = typeof c.input === 'string' ? bytes(c.input) : c.input;
    const expected = { events: c.events, retries: c.retries ?? [] };

    it('parses the stream in one chunk', () => {
      const parsed = parse([input]);
      expect({ events: parsed.events, retries: parsed.retries }).toEqual(expected);
      if (c.lastEventId !== undefined) expect(parsed.lastEventId).toBe(c.lastEventId);
    });

    it('parses it the same when split at any byte', () => {
      for (const chunks of splitEverywhere(input)) {
        const parsed = parse(chunks);
        expect({ events: parsed.events, retries: parsed.retries }).toEqual(expected);
      }
    });

    it('parses it the same one byte at a time', () => {
      const parsed = parse([...input].map((b) => new Uint8Array([b])));
      expect({ events: parsed.events, retries: parsed.retries }).toEqual(expected);
    });
  });

  it('keeps the CR of a CRLF split across chunks from ending two lines', () => {
    const parsed = parse([bytes('data: a\r'), bytes('\ndata: b\r'), bytes('\n\r'), bytes('\n')]);
    expect(parsed.events).toEqual([msg('a\nb')]);
  });

  it('splits a four-byte character across three chunks', () => {
    const clef = bytes('data: 𝄞\n\n');
    const parsed = parse([clef.slice(0, 7), clef.slice(7, 8), clef.slice(8)]);
    expect(parsed.events).toEqual([msg('𝄞')]);
  });

  it('delivers each event as soon as its blank line arrives', () => {
    const seen: string[] = [];
    const parser = new SseParser({ onEvent: (e) => seen.push(e.data) });
    parser.push(bytes('data: one\n\ndata: tw'));
    expect(seen).toEqual(['one']);
    parser.push(bytes('o\n'));
    expect(seen).toEqual(['one']);
    parser.push(bytes('\n'));
    expect(seen).toEqual(['one', 'two']);
  });

  it('starts from a given last event id, as a reconnected stream does', () => {
    const seen: SseEvent[] = [];
    const parser = new SseParser({ onEvent: (e) => seen.push(e) }, '12');
    parser.push(bytes('event: stream.ready\ndata: {}\n\n'));
    expect(seen[0]).toMatchObject({ lastEventId: '12', id: undefined });
  });
});
