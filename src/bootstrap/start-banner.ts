import { HeraldConfig } from '../config/herald-config';
import { signToken } from '../auth/token-signer';

const DEMO_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

/**
 * What a newcomer needs after `npm start`: the demo URL with a working token
 * and a curl line. With a configured secret no token is minted here; the token
 * script is named instead.
 */
export function startBanner(config: HeraldConfig, port: number, devSecretGenerated: boolean): string {
  const base = config.publicUrl ?? `http://localhost:${port}`;
  const lines = [`Herald is running (${config.mode} mode, role ${config.role}): ${base}/`];
  if (devSecretGenerated && config.jwt.secret) {
    const token = signToken({ secret: config.jwt.secret, userId: 'demo-user', ttlSeconds: DEMO_TOKEN_TTL_SECONDS });
    lines[0] = `Herald is running: ${base}/?token=${token}`;
    lines.push(
      `Try it:  curl -N -H "Authorization: Bearer ${token}" ${base}/api/events/stream`,
      `Start:   curl -X POST -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" ` +
        `-d '{"kind":"text-generation","input":{"prompt":"A lighthouse keeper finds a letter"}}' ${base}/api/operations`,
      `(development token for user demo-user, valid 7 days; the secret is kept in ${config.dataDir})`,
    );
  } else {
    lines.push('Make a token with: npm run token -- <userId> [--scope events:publish] [--ttl 1h]');
  }
  return lines.join('\n');
}
