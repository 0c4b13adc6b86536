/**
 * The error hierarchy. Two families matter to callers:
 * - {@link BadInputError}: the input itself is wrong. Retrying cannot help; the job fails with
 *   the message, which always names the offending value.
 * - {@link TransientError}: storage, network or a busy resource. Retrying with backoff may help.
 * Every error carries a stable machine-readable `code`.
 */
export class StemflowError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
  }
}

/** The input is wrong; never retried. */
export class BadInputError extends StemflowError {
  constructor(message: string, code = 'bad_input', options?: { cause?: unknown }) {
    super(code, message, false, options);
  }
}

/** A temporary failure (I/O, network, throttling); safe to retry. */
export class TransientError extends StemflowError {
  constructor(message: string, code = 'transient', options?: { cause?: unknown }) {
    super(code, message, true, options);
  }
}

/** The audio file has no bytes. */
export class EmptyAudioError extends BadInputError {
  constructor(message = 'audio file is empty (0 bytes)') {
    super(message, 'empty_audio');
  }
}

/** The file starts like a known container but ends early or its structure is cut. */
export class TruncatedAudioError extends BadInputError {
  constructor(message: string) {
    super(message, 'truncated_audio');
  }
}

/** The bytes are not any audio format stemflow recognises. */
export class NotAudioError extends BadInputError {
  constructor(message: string) {
    super(message, 'not_audio');
  }
}

/** A recognised container holding a codec or sample format that is not supported. */
export class UnsupportedCodecError extends BadInputError {
  constructor(message: string) {
    super(message, 'unsupported_codec');
  }
}

/** A channel count or sample rate outside what stemflow accepts. */
export class InvalidAudioParametersError extends BadInputError {
  constructor(message: string) {
    super(message, 'invalid_audio_parameters');
  }
}

/** The audio is longer than the configured maximum duration. */
export class AudioTooLongError extends BadInputError {
  constructor(message: string) {
    super(message, 'audio_too_long');
  }
}

/** A request, option or parameter that fails validation. */
export class InvalidRequestError extends BadInputError {
  readonly issues: string[];
  constructor(message: string, issues: string[] = [message]) {
    super(message, 'invalid_request');
    this.issues = issues;
  }
}

/** Describe any thrown value in one line, for logs, statuses and callbacks. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
