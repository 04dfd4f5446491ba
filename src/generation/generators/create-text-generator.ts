import { HeraldConfig } from '../../config/herald-config';
import { OpenAiGenerator } from './openai.generator';
import { SimulatedGenerator } from './simulated.generator';
import { TextGenerator } from './text-generator';

/** The model LLM_PROVIDER names. */
export function createTextGenerator(llm: HeraldConfig['llm']): TextGenerator {
  if (llm.provider === 'simulated') return new SimulatedGenerator(llm.simTokensPerSecond);
  // loadConfig refuses this combination; a configuration built by hand may not.
  if (!llm.openaiBaseUrl) throw new Error('LLM_PROVIDER=openai needs OPENAI_BASE_URL');
  return new OpenAiGenerator({
    baseUrl: llm.openaiBaseUrl,
    apiKey: llm.openaiApiKey,
    model: llm.model,
    idleTimeoutMs: llm.openaiTimeoutMs,
    maxRetries: llm.openaiMaxRetries,
  });
}
