// A real OpenID Provider (the `oidc-provider` package) standing in for VNeID in the browser
// tests: one confidential client (motcua), one citizen whose ID token carries a personal
// identification number (`so_dinh_danh`) and assurance level 2 (`acr`). Authorization code flow
// with PKCE (S256) only; ID tokens signed ES256 with a key made at start.
//
// Environment: OIDC_PORT (default 0 = a free port), OIDC_REDIRECT_URI (motcua's
// /dang-nhap/vneid/callback, required), OIDC_CLIENT_ID / OIDC_CLIENT_SECRET (defaults below).
// Prints one line `oidc-provider ready <issuer>` when it listens.
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const redirectUri = process.env.OIDC_REDIRECT_URI;
if (!redirectUri) {
  console.error('OIDC_REDIRECT_URI is required (motcua base URL + /dang-nhap/vneid/callback)');
  process.exit(2);
}
const clientId = process.env.OIDC_CLIENT_ID || 'motcua-e2e';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'motcua-e2e-secret';

// The test citizen (the demo's congdan1, see e2e/tests/helpers.js).
const CITIZEN = {
  accountId: 'vneid-citizen-1',
  name: 'Nguyễn Thị Lan',
  so_dinh_danh: '064190012345',
  acr: '2',
};

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'e2e-es256', alg: 'ES256', use: 'sig' };

function page(title, body) {
  return `<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

const server = http.createServer();
server.listen(Number(process.env.OIDC_PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
      // The ID token then always states the assurance level (`acr`), as VNeID's does.
      default_acr_values: ['2', '1'],
    }],
    jwks: { keys: [signingKey] },
    pkce: { required: () => true },
    acrValues: ['1', '2'],
    claims: { acr: null, auth_time: null, sid: null, iss: null, openid: ['sub'], profile: ['name', 'so_dinh_danh'] },
    // Profile claims in the ID token itself (the relying party reads no userinfo).
    conformIdTokenClaims: false,
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      if (id !== CITIZEN.accountId) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, name: CITIZEN.name, so_dinh_danh: CITIZEN.so_dinh_danh };
        },
      };
    },
    // The citizen consents by signing in (as VNeID's own apps do).
    async loadExistingGrant(ctx) {
      const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
  });
  if (process.env.OIDC_DEBUG) {
    provider.on('grant.success', (ctx) => {
      const idToken = ctx.body && ctx.body.id_token;
      if (idToken) console.log('id_token claims', Buffer.from(idToken.split('.')[1], 'base64url').toString());
    });
  }
  const handle = provider.callback();
  server.on('request', async (req, res) => {
    const m = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!m) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (m[2] && req.method === 'POST') {
        const form = await readForm(req);
        if (form.get('so_dinh_danh') !== CITIZEN.so_dinh_danh) {
          res.writeHead(403, { 'content-type': 'text/html; charset=utf-8' });
          return res.end(page('Sai thông tin', '<p>Tài khoản không đúng.</p>'));
        }
        return provider.interactionFinished(req, res, {
          login: { accountId: CITIZEN.accountId, acr: CITIZEN.acr },
        }, { mergeWithLastSubmission: false });
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(page('VNeID (thử nghiệm)',
        `<form method="post" action="/interaction/${details.uid}/login">` +
        '<label for="so_dinh_danh">Số định danh cá nhân</label> ' +
        `<input id="so_dinh_danh" name="so_dinh_danh" value="${CITIZEN.so_dinh_danh}"> ` +
        '<button type="submit">Xác nhận đăng nhập</button></form>'));
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(String(e));
    }
  });
  console.log(`oidc-provider ready ${issuer}`);
});
