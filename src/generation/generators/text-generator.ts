export interface GenerationRequest {
  prompt: string;
  maxTokens: number;
  model?: string;
  /**
   * Text of this request already delivered by an earlier attempt. The generator
   * continues after it rather than starting over, so a retried job repeats nothing.
   */
  delivered: string;
  /** Pieces (tokens) that make up `delivered`; a provider takes them off its token budget. */
  deliveredTokens?: number;
}

export class GenerationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** A model: yields text pieces (tokens) until done; stops early when the signal aborts. */
export abstract class TextGenerator {
  abstract stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<string>;
}
