import { parseDuration } from '../config/env-reader';
import { ConfigError } from '../config/herald-config';
import { loadConfig } from '../config/load-config';
import { devSecretPath, resolveDevSecret } from './dev-secret';
import { DEFAULT_TOKEN_TTL_SECONDS, signToken } from './token-signer';
import { isValidUserId } from './user-id';

const USAGE = `usage: npm run token -- <userId> [--scope <scope>]... [--ttl <duration>]

  <userId>          the token's sub: 1–256 characters, no control characters
  --scope <scope>   grant a scope, e.g. events:publish (repeatable, or space/comma separated)
  --ttl <duration>  lifetime with a unit: 90s, 15m, 1h, 7d (default 1h)

Prints only the token, signed with JWT_SECRET (embedded mode without one: the
development secret in HERALD_DATA_DIR).`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

interface TokenRequest {
  userId: string;
  scopes: string[];
  ttlSeconds: number;
}

class UsageError extends Error {}

/** Returns the exit code: 0 token printed, 1 cannot sign with this configuration, 2 bad arguments. */
export async function runTokenCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  let request: TokenRequest;
  try {
    request = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 1;
  }
  if (config.jwt.publicKey) {
    io.err(
      'JWT_PUBLIC_KEY is configured: Herald only verifies tokens signed with the matching private key by your ' +
        'identity provider, so it cannot sign one. Issue the token there, or configure JWT_SECRET instead.',
    );
    return 1;
  }

  let resolved;
  try {
    resolved = await resolveDevSecret(config);
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const { secret, issuer, audience } = resolved.config.jwt;
  if (!secret) {
    io.err('no JWT_SECRET configured');
    return 1;
  }
  if (resolved.created) io.err(`created the development JWT secret at ${devSecretPath(resolved.config)}`);

  io.out(signToken({ secret, userId: request.userId, scopes: request.scopes, ttlSeconds: request.ttlSeconds, issuer, audience }));
  return 0;
}

function parseArgs(argv: string[]): TokenRequest {
  const positional: string[] = [];
  const scopes: string[] = [];
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;

  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = splitFlag(argv[i]);
    if (flag === '--scope' || flag === '--ttl') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      if (flag === '--scope') scopes.push(...value.split(/[\s,]+/).filter(Boolean));
      else ttlSeconds = parseTtl(value);
    } else if (flag.startsWith('--')) {
      throw new UsageError(`unknown option ${flag}`);
    } else {
      positional.push(argv[i]);
    }
  }

  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing <userId>' : 'expected exactly one <userId>');
  if (!isValidUserId(positional[0])) throw new UsageError('<userId> must be 1–256 characters without control characters');
  return { userId: positional[0], scopes: [...new Set(scopes)], ttlSeconds };
}

function splitFlag(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined];
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function parseTtl(value: string): number {
  // A bare number is refused: seconds or milliseconds would be a guess.
  const ms = /[a-z]$/.test(value) ? parseDuration(value) : null;
  if (ms === null || ms < 1000) throw new UsageError(`--ttl ${JSON.stringify(value)} must be a duration of at least 1s, such as 90s, 15m, 1h or 7d`);
  return Math.floor(ms / 1000);
}

if (require.main === module) {
  runTokenCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
