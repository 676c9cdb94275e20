// A real OpenID Connect provider for the tests: panva/oidc-provider (certified by the OpenID
// Foundation), configured from a JSON file. Usage: node provider.mjs CONFIG.json
// CONFIG: {"issuer": "http://127.0.0.1:PORT", "port": PORT,
//          "clients": [{"client_id", "client_secret", "redirect_uris": [...],
//                       "post_logout_redirect_uris": [...]}],
//          "accounts": {"<login>": {claims...}}}
// Sign-in pages are the library's development interactions (any password; the login names an
// account of CONFIG). Everything else is the real thing: discovery, JWKS, authorization code
// with PKCE (S256 required), signed ID tokens, userinfo, RP-initiated logout. Prints "ready" once
// listening.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts;

const provider = new Provider(config.issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email'],
    given_name: ['given_name'],
    usual_name: ['usual_name'],
    siret: ['siret'],
    groups: ['groups'],
  },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...accounts[id] }; } };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['asr-service-tests-only'] },
  ttl: { AccessToken: 600, AuthorizationCode: 120, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

http.createServer(provider.callback()).listen(config.port, '127.0.0.1', () => {
  console.log('ready');
});
