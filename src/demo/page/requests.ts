import type { StartOperationRequest } from '@herald/client';

const GENERATE_MAX_TOKENS = 240;
const STAGE_MAX_TOKENS = 90;

export function generateRequest(prompt: string): StartOperationRequest {
  return { kind: 'text-generation', input: { prompt, maxTokens: GENERATE_MAX_TOKENS } };
}

/** Genesis: a story's characters, then its world, then its plot, as one pipeline operation. */
export function genesisRequest(prompt: string): StartOperationRequest {
  return {
    kind: 'pipeline',
    input: {
      stages: [
        { name: 'characters', prompt: `Characters for this story: ${prompt}`, maxTokens: STAGE_MAX_TOKENS },
        { name: 'world', prompt: `The world this story happens in: ${prompt}`, maxTokens: STAGE_MAX_TOKENS },
        { name: 'plot', prompt: `A plot for this story: ${prompt}`, maxTokens: STAGE_MAX_TOKENS },
      ],
    },
  };
}
