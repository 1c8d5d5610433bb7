// A real OpenID provider for the LMS's single sign-on tests: the certified `oidc-provider`
// package, on 127.0.0.1, with a one-step sign-in page instead of a password form.
//
// Usage: node provider.mjs  (environment: OIDC_PORT, OIDC_CLIENTS = JSON list of clients)
// Prints "ready <issuer>" on stdout once it listens.
//
// What is not the stock provider (everything else is):
// - POST /interaction/<uid> with the form fields sub, email, email_verified, name, locale signs
//   in as that person (the test decides who the provider says the person is) and grants what
//   the client asked for;
// - POST /_test/tamper {"mode": "signature"} or {"mode": "replace", "id_token": "..."} changes
//   the id_token in the NEXT token response on its way out, after the provider made it: one
//   character of the signature flipped, or the whole token swapped for another one the
//   provider really issued (to another client). This is how the tests put a forged token in
//   front of the LMS without a fake provider.
import http from 'node:http';
import crypto from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');

const accounts = new Map();
let tamper = null;

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'locale'],
  },
  // The claims go into the ID token itself (not only the userinfo endpoint).
  conformIdTokenClaims: false,
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const claims = accounts.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
  renderError(ctx, out) {
    ctx.type = 'text/plain';
    ctx.body = `${out.error}: ${out.error_description || ''}`;
  },
});
provider.proxy = false;

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Sign in</title><form method="post">
      <input name="sub"><input name="email"><input name="email_verified" value="true">
      <input name="name"><input name="locale"><button>Sign in</button></form>`);
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  const sub = form.get('sub');
  accounts.set(sub, {
    email: form.get('email'),
    email_verified: form.get('email_verified') === 'true',
    name: form.get('name') || undefined,
    locale: form.get('locale') || undefined,
  });
  const grant = new provider.Grant({ accountId: sub, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, {
    login: { accountId: sub },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

function tamperWith(res) {
  const mode = tamper;
  tamper = null;
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    const body = JSON.parse(Buffer.from(chunk).toString('utf8'));
    if (body.id_token && mode.mode === 'signature') {
      const [header, payload, signature] = body.id_token.split('.');
      const at = Math.floor(signature.length / 2);
      const flipped = signature[at] === 'A' ? 'B' : 'A';
      body.id_token = `${header}.${payload}.${signature.slice(0, at)}${flipped}${signature.slice(at + 1)}`;
    } else if (body.id_token && mode.mode === 'replace') {
      body.id_token = mode.id_token;
    }
    const out = Buffer.from(JSON.stringify(body));
    res.setHeader('Content-Length', out.length);
    return end(out, ...rest);
  };
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    if (req.url.startsWith('/_test/tamper') && req.method === 'POST') {
      tamper = JSON.parse(await readBody(req));
      res.end('armed');
      return;
    }
    if (req.url.startsWith('/interaction/')) {
      await interaction(req, res);
      return;
    }
    if (req.url.startsWith('/token') && req.method === 'POST' && tamper) {
      tamperWith(res);
    }
    callback(req, res);
  } catch (err) {
    res.statusCode = 500;
    res.end(String(err && err.stack));
  }
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
