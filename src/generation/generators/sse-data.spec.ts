import { sseData } from './sse-data';

async function events(...parts: string[]): Promise<string[]> {
  async function* body() {
    for (const part of parts) yield new TextEncoder().encode(part);
  }
  const out: string[] = [];
  for await (const data of sseData(body())) out.push(data);
  return out;
}

describe('sseData', () => {
  it('yields the data of each event, whatever the line endings', async () => {
    expect(await events('data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: [DONE]\n\n')).toEqual(['a', 'b', 'c', '[DONE]']);
  });

  it('reassembles events split anywhere, including inside \\r\\n and multi-byte characters', async () => {
    const bytes = new TextEncoder().encode('data: {"t":"é"}\r\n\r\ndata: x\r\n\r\n');
    async function* oneByteAtATime() {
      for (const b of bytes) yield new Uint8Array([b]);
    }
    const out: string[] = [];
    for await (const data of sseData(oneByteAtATime())) out.push(data);
    expect(out).toEqual(['{"t":"é"}', 'x']);
  });

  it('joins multi-line data and ignores comments, other fields and empty events', async () => {
    expect(await events(': keep-alive\n\nevent: x\nid: 3\ndata: one\ndata:two\n\n\n\n')).toEqual(['one\ntwo']);
  });

  it('drops an event cut off before its blank line', async () => {
    expect(await events('data: whole\n\ndata: {"half":')).toEqual(['whole']);
  });

  it('treats a final lone \\r as the end of a line', async () => {
    expect(await events('data: a\r', '\r')).toEqual(['a']);
  });
});
