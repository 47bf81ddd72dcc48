// Shared helpers: the portal's page list, axe-core checks, API helpers for test data, sign-in.
const fs = require('node:fs');
const path = require('node:path');
const { expect, test } = require('@playwright/test');
const { AxeBuilder } = require('@axe-core/playwright');

// E2E_ARTIFACTS lets two runs on one checkout keep apart (run.sh clears the folder at start).
const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(__dirname, '..', 'artifacts'));

// The demo's procedure used throughout: "Thủ tục đăng ký khai sinh".
const BIRTH = { code: '1.001193', name: /đăng ký khai sinh/i };
// Demo accounts (interfaces.md: every demo account's password is `demo`). The second citizen is
// for tests that leave a draft behind, so that the journey starts from a clean form.
const CITIZEN = { username: 'congdan1', password: 'demo', fullName: 'Nguyễn Thị Lan', personalId: '064190012345' };
const CITIZEN2 = { username: 'congdan2', password: 'demo', fullName: 'Trần Văn Minh', personalId: '052085006789' };

// Pages still being built by the portal's author. A listed page whose path answers 404 is skipped
// with the reason; a listed page that exists is tested; an unlisted page that is missing fails.
// Every page tested here has landed, so none is pending now.
const PENDING = new Map([
  // ['/path', 'what is still being built'],
]);

// The public portal pages every check runs over (`name` names the artefacts).
const PUBLIC_PAGES = [
  { name: 'home', path: '/' },
  { name: 'search', path: '/thu-tuc?q=khai%20sinh' },
  { name: 'procedure', path: `/thu-tuc/${BIRTH.code}` },
  { name: 'status', path: '/tra-cuu' },
  { name: 'assistant', path: '/tro-ly-ao' },
  { name: 'sign-in', path: '/dang-nhap' },
];
// Pages that need a signed-in citizen.
const CITIZEN_PAGES = [
  { name: 'my-dossiers', path: '/ca-nhan' },
  { name: 'submit', path: `/nop-ho-so/${BIRTH.code}` },
];

/** Skips the running test when `pagePath` is a pending page that does not answer yet. */
async function skipIfPending(request, pagePath) {
  const bare = pagePath.split('?')[0];
  const key = [...PENDING.keys()].find((p) => bare === p || bare.startsWith(`${p}/`));
  if (!key) return;
  const res = await request.get(pagePath, { maxRedirects: 0 });
  test.skip(res.status() === 404, `${key} not built yet: ${PENDING.get(key)}`);
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Runs axe-core (WCAG 2.2 A/AA rules) on the page; keeps the report; fails on any violation. */
async function expectAccessible(page, name) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const dir = path.join(ARTIFACTS, 'axe');
  fs.mkdirSync(dir, { recursive: true });
  const summary = {
    page: name,
    url: page.url(),
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    })),
    passes: results.passes.length,
    incomplete: results.incomplete.map((v) => v.id),
  };
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(summary, null, 2));
  const readable = summary.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(', ')}`);
  expect(readable, `axe-core violations on ${name} (${page.url()})`).toEqual([]);
  return summary;
}

/** Keeps a full-page screenshot as a CI artefact. */
async function screenshot(page, name) {
  const dir = path.join(ARTIFACTS, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Signs in through the sign-in page as a real user would, and waits to leave it. */
async function signIn(page, user = CITIZEN, next = null) {
  await page.goto(next ? `/dang-nhap?next=${encodeURIComponent(next)}` : '/dang-nhap');
  await page.getByLabel(/tên đăng nhập|username/i).fill(user.username);
  await page.getByLabel(/mật khẩu|password/i).fill(user.password);
  await page.getByRole('button', { name: /đăng nhập|sign in/i }).click();
  await expect(page).not.toHaveURL(/\/dang-nhap/);
}

async function apiToken(request, username) {
  const res = await request.post('/api/v1/auth/token', { data: { username, password: 'demo' } });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).token;
}

/** A real dossier received at the counter by `tiepnhan1` (accepted on the spot). */
async function counterDossier(request, applicantName = 'Phan Thị Mai') {
  const token = await apiToken(request, 'tiepnhan1');
  const res = await request.post('/api/v1/dossiers', {
    headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': `e2e-${Date.now()}-${Math.random()}` },
    data: {
      procedure: BIRTH.code,
      unit: '23575',
      channel: 1,
      applicant: { name: applicantName, personal_id: '064190012345', phone: '0912 345 678' },
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const submitted = await res.json();
  const view = await request.get(`/api/v1/dossiers/${encodeURIComponent(submitted.MaHoSo)}`);
  expect(view.status()).toBe(200);
  return { code: submitted.MaHoSo, view: await view.json(), applicantName };
}

/** Horizontal overflow of the document in CSS pixels (0 when the page reflows). */
async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

module.exports = {
  ARTIFACTS,
  BIRTH,
  CITIZEN,
  CITIZEN2,
  CITIZEN_PAGES,
  PENDING,
  PUBLIC_PAGES,
  apiToken,
  counterDossier,
  expectAccessible,
  horizontalOverflow,
  screenshot,
  signIn,
  skipIfPending,
};
