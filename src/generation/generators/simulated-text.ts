import { hashSeed, seededRandom } from './seeded-random';

const WORDS = (
  'the a of and in to with across beneath lantern river city storm quiet ancient bright hollow silver ' +
  'keeper garden letter machine forest tower winter harbor stranger promise shadow signal orchard ' +
  'engine whisper mountain archive compass mirror captain candle market bridge voyage memory dawn ' +
  'glass thread echo meadow crown ember fable wanderer clockwork story hidden golden gentle brave'
).split(' ');

/**
 * The simulated model's tokens for a prompt: the same prompt always gives the
 * same tokens, which is what lets a retried job skip exactly what was delivered.
 */
export function simulatedTokens(prompt: string, maxTokens: number): string[] {
  const random = seededRandom(hashSeed(prompt));
  const tokens: string[] = [];
  let sentenceLength = 0;
  for (let i = 0; i < maxTokens; i++) {
    let word = WORDS[Math.floor(random() * WORDS.length)];
    if (sentenceLength === 0) word = word[0].toUpperCase() + word.slice(1);
    sentenceLength++;
    const endSentence = sentenceLength > 6 && random() < 0.18;
    const space = i === 0 ? '' : sentenceLength === 1 && random() < 0.15 ? '\n\n' : ' ';
    tokens.push(space + word + (endSentence || i === maxTokens - 1 ? '.' : random() < 0.07 ? ',' : ''));
    if (endSentence) sentenceLength = 0;
  }
  return tokens;
}
