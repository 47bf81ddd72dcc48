// Errors are announced: a form sent with mistakes comes back with an error summary that has focus,
// links that move focus to the field, and fields marked invalid; the page still passes axe-core.
// Pages carry the security headers of issue #5.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

test('submission form: error summary focused, links lead to the field', async ({ page, request }) => {
  await h.skipIfPending(request, `/nop-ho-so/${h.BIRTH.code}`);
  await h.signIn(page, h.CITIZEN2, `/nop-ho-so/${h.BIRTH.code}`);
  await page.goto(`/nop-ho-so/${h.BIRTH.code}`);
  const phone = page.getByRole('textbox', { name: /^(số điện thoại|phone)/i });
  await phone.fill('12345');
  await page.getByRole('button', { name: /^(tiếp tục|continue)$/i }).click();

  const summary = page.getByRole('alert').filter({ hasText: /có lỗi|problem|error/i });
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle(/^(lỗi|error)/i);
  await expect(phone).toHaveAttribute('aria-invalid', 'true');
  await summary.getByRole('link', { name: /số điện thoại|phone/i }).click();
  await expect(phone).toBeFocused();
  await h.screenshot(page, 'submit-errors');
  await h.expectAccessible(page, 'submit-errors');
});

test('status look-up: a malformed code is an error linked to the field', async ({ page, request }) => {
  await h.skipIfPending(request, '/tra-cuu');
  await page.goto('/tra-cuu');
  const field = page.getByLabel(/mã hồ sơ|dossier code/i);
  await field.fill('abc');
  await field.press('Enter');
  const summary = page.getByRole('alert');
  await expect(summary).toBeVisible();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await summary.getByRole('link').first().click();
  await expect(field).toBeFocused();
  await h.expectAccessible(page, 'status-error');
});

test('pages send the security headers', async ({ request }) => {
  await h.skipIfPending(request, '/');
  for (const p of ['/', '/dang-nhap', '/tra-cuu']) {
    const res = await request.get(p);
    const hd = res.headers();
    expect(hd['content-security-policy'], `${p} CSP`).toMatch(/default-src 'self'|default-src 'none'/);
    expect(hd['content-security-policy'], `${p} CSP has no unsafe-inline script`).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(hd['x-content-type-options'], p).toBe('nosniff');
    expect(hd['referrer-policy'], p).toBeTruthy();
  }
});

test('submission form: save a draft and resume it later', async ({ page, request }) => {
  await h.skipIfPending(request, `/nop-ho-so/${h.BIRTH.code}`);
  await h.signIn(page, h.CITIZEN2, `/nop-ho-so/${h.BIRTH.code}`);
  await page.goto(`/nop-ho-so/${h.BIRTH.code}`);
  const address = `Tổ ${Date.now() % 1000}, phường Pleiku`;
  await page.getByRole('textbox', { name: /^(số điện thoại|phone)/i }).fill('0987654321');
  await page.getByRole('textbox', { name: /^(địa chỉ|address)/i }).fill(address);
  await page.getByRole('button', { name: /^(lưu bản nháp|save( as)? draft)$/i }).click();
  await expect(page.getByRole('status').filter({ hasText: /bản nháp|draft/i })).toBeVisible();

  // A later visit (another page first) finds the draft again.
  await page.goto('/');
  await page.goto(`/nop-ho-so/${h.BIRTH.code}`);
  await expect(page.getByRole('textbox', { name: /^(địa chỉ|address)/i })).toHaveValue(address);
  await expect(page.getByRole('textbox', { name: /^(số điện thoại|phone)/i })).toHaveValue('0987654321');
});
