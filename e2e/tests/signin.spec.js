// Sign-in with a demo account through the form; a wrong password is reported accessibly;
// the session cookie is HttpOnly and SameSite.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

test('congdan1 signs in and out', async ({ page, request, context }) => {
  await h.skipIfPending(request, '/dang-nhap');
  await h.signIn(page);
  await expect(page.getByText(h.CITIZEN.fullName).first()).toBeVisible();
  const session = (await context.cookies()).filter((c) => c.httpOnly);
  expect(session.length, 'an HttpOnly session cookie').toBeGreaterThan(0);
  for (const c of session) expect(['Lax', 'Strict']).toContain(c.sameSite);

  const signOut = page.getByRole('button', { name: /đăng xuất|sign out/i })
    .or(page.getByRole('link', { name: /đăng xuất|sign out/i })).first();
  await signOut.click();
  await expect(page.getByText(h.CITIZEN.fullName)).toHaveCount(0);
});

test('a wrong password is announced and nothing is signed in', async ({ page, request }) => {
  await h.skipIfPending(request, '/dang-nhap');
  await page.goto('/dang-nhap');
  await page.getByLabel(/tên đăng nhập|username/i).fill('congdan1');
  await page.getByLabel(/mật khẩu|password/i).fill('not-the-password');
  await page.getByRole('button', { name: /đăng nhập|sign in/i }).click();
  await expect(page).toHaveURL(/\/dang-nhap/);
  // The error is in a live/alert region or an error summary that screen readers announce.
  const alert = page.getByRole('alert').or(page.locator('[aria-live]')).filter({ hasText: /./ }).first();
  await expect(alert).toBeVisible();
  await expect(page.getByText(h.CITIZEN.fullName)).toHaveCount(0);
  await h.expectAccessible(page, 'sign-in-error');
});

test('/ca-nhan asks an anonymous visitor to sign in', async ({ page, request }) => {
  await h.skipIfPending(request, '/ca-nhan');
  await page.goto('/ca-nhan');
  await expect(page).toHaveURL(/\/dang-nhap/);
  await page.getByLabel(/tên đăng nhập|username/i).fill(h.CITIZEN.username);
  await page.getByLabel(/mật khẩu|password/i).fill(h.CITIZEN.password);
  await page.getByRole('button', { name: /đăng nhập|sign in/i }).click();
  await expect(page).toHaveURL(/\/ca-nhan/);
});
