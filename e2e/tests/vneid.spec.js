// Sign-in with VNeID against a real OpenID Provider (e2e/oidc-provider, the `oidc-provider`
// package): authorization code + PKCE, the ID token verified by motcua, the citizen account
// found by its personal identification number, e-ID level 2 recorded.
// Needs the provider running and motcua started with MOTCUA_OIDC_ISSUER / _CLIENT_ID /
// _CLIENT_SECRET (see e2e/oidc-provider/start.sh); skipped with the reason when it is not.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

test('a citizen signs in with VNeID at level 2', async ({ page, request }) => {
  const start = await request.get('/dang-nhap/vneid', { maxRedirects: 0 });
  test.skip(start.status() === 404, 'VNeID sign-in not configured (no MOTCUA_OIDC_ISSUER for this server)');
  expect(start.status()).toBe(303);

  await page.goto('/dang-nhap/vneid?next=/ca-nhan');
  // At the provider: its own sign-in page.
  await expect(page).not.toHaveURL(new RegExp(`^${process.env.MOTCUA_BASE_URL}`));
  await expect(page.getByLabel('Số định danh cá nhân')).toHaveValue(h.CITIZEN.personalId);
  await page.getByRole('button', { name: 'Xác nhận đăng nhập' }).click();
  // Back at motcua, signed in as the citizen with that number.
  await expect(page).toHaveURL(/\/ca-nhan$/);
  await expect(page.getByText(h.CITIZEN.fullName).first()).toBeVisible();
  await expect(page.getByText(/mức 2|level 2/i).first()).toBeVisible();
  await h.expectAccessible(page, 'my-dossiers-vneid');
  // The personal identification number never appears in motcua's URLs.
  expect(page.url()).not.toContain(h.CITIZEN.personalId);
});

test('a callback whose state is not this browser\'s is refused', async ({ page, request }) => {
  const start = await request.get('/dang-nhap/vneid', { maxRedirects: 0 });
  test.skip(start.status() === 404, 'VNeID sign-in not configured (no MOTCUA_OIDC_ISSUER for this server)');
  const res = await page.goto('/dang-nhap/vneid/callback?code=forged&state=forged');
  expect(res.status()).toBeGreaterThanOrEqual(400);
  await expect(page.getByText(h.CITIZEN.fullName)).toHaveCount(0);
});
