// Status look-up without sign-in, by a real dossier's code: status and dates, no personal data.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

test('look up a real dossier by its code from the form', async ({ page, request }) => {
  await h.skipIfPending(request, '/tra-cuu');
  const dossier = await h.counterDossier(request, 'Phan Thị Mai');
  await page.goto('/tra-cuu');
  const field = page.getByLabel(/mã hồ sơ|dossier code/i);
  await field.fill(dossier.code);
  await field.press('Enter');
  await expect(page).toHaveURL(/\/tra-cuu\?(.*&)?ma=/);
  const main = page.getByRole('main');
  await expect(main).toContainText(dossier.code);
  await expect(main).toContainText(dossier.view.status.name);
  await expect(main).toContainText(dossier.view.procedure.name);
  // The public view carries no applicant data.
  const text = await page.locator('body').innerText();
  expect(text).not.toContain(dossier.applicantName);
  expect(text).not.toContain('064190012345');
  expect(text).not.toContain('0912 345 678');
});

test('the English status look-up shows the English status name', async ({ page, request }) => {
  await h.skipIfPending(request, '/tra-cuu');
  const dossier = await h.counterDossier(request);
  await page.goto(`/tra-cuu?ma=${encodeURIComponent(dossier.code)}&lang=en`);
  await expect(page.getByRole('main')).toContainText(dossier.view.status.name_en);
});

test('an unknown code gets a readable answer', async ({ page, request }) => {
  await h.skipIfPending(request, '/tra-cuu');
  const res = await page.goto('/tra-cuu?ma=000.00.12.H21-251013-9999');
  expect(res.status()).toBeLessThan(500);
  await expect(page.getByRole('main')).toContainText(/không tìm thấy|not found/i);
});
