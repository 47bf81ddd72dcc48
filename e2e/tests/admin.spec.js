// Administration at /can-bo/quan-tri: creating an officer's account (who then signs in), setting a
// procedure's local fee (then shown by the portal and the API), and axe-core checks on every
// administration page, including their error states.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

const ADMIN = { username: 'quantri', password: 'demo' };
// Death registration: no other browser test reads its fees.
const DEATH = '1.000656';

test('administration: create an officer account, who then signs in', async ({ page, browser }) => {
  await h.signIn(page, ADMIN, '/can-bo/quan-tri');
  await expect(page).toHaveURL(/\/can-bo\/quan-tri$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Quản trị hệ thống');
  await h.expectAccessible(page, 'admin-home');
  await page.getByRole('link', { name: 'Tài khoản và vai trò' }).first().click();
  await expect(page).toHaveURL(/\/can-bo\/quan-tri\/nguoi-dung/);
  await h.expectAccessible(page, 'admin-users');

  // Nothing filled in: an error summary whose links lead to the fields.
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText(/tên đăng nhập hợp lệ/i);
  await h.expectAccessible(page, 'admin-users-errors');
  await summary.getByRole('link').first().click();
  await expect(page.locator('#username')).toBeFocused();

  const username = `cve2e${Date.now() % 1000000}`;
  await page.locator('#username').fill(username);
  await page.locator('#full_name').fill('Hồ Thị Thu Trang');
  await page.locator('#password').fill('mat-khau-e2e-01');
  await page.locator('#role').selectOption('specialist');
  await page.locator('#unit').selectOption('23575');
  await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
  await expect(page).toHaveURL(/xong=tao/);
  await expect(page.getByRole('status')).toContainText('Đã tạo tài khoản');
  const row = page.locator(`tr[data-username="${username}"]`);
  await expect(row).toContainText('Chuyên viên');
  await row.getByRole('link', { name: username }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(username);
  await h.expectAccessible(page, 'admin-user-edit');

  // The new officer signs in with the password just set and reaches the back office.
  const other = await browser.newContext();
  const officer = await other.newPage();
  await h.signIn(officer, { username, password: 'mat-khau-e2e-01' }, '/can-bo');
  await expect(officer).toHaveURL(/\/can-bo/);
  await expect(officer.getByRole('heading', { level: 1 })).toHaveText('Xử lý hồ sơ');
  await other.close();
});

test('administration: a local fee is validated, then shown by the portal and the API', async ({ page, request }) => {
  await h.signIn(page, ADMIN, '/can-bo/quan-tri/thu-tuc');
  await h.expectAccessible(page, 'admin-procedures');
  await page.getByLabel('Tìm theo mã hoặc tên thủ tục').fill(DEATH);
  await page.getByRole('button', { name: 'Lọc' }).click();
  await page.getByRole('link', { name: DEATH }).click();
  await expect(page).toHaveURL(new RegExp(`/can-bo/quan-tri/thu-tuc/${DEATH.replace(/\./g, '\\.')}$`));
  await h.expectAccessible(page, 'admin-procedure');

  await page.getByLabel('Mức phí địa phương (đồng)').fill('mười nghìn');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await expect(page.getByRole('alert')).toContainText(/số đồng nguyên/i);
  await h.expectAccessible(page, 'admin-procedure-errors');

  await page.getByLabel('Mức phí địa phương (đồng)').fill('45.000');
  await page.getByLabel('Ghi chú về phí').fill('Theo nghị quyết của HĐND tỉnh');
  await page.getByRole('button', { name: 'Lưu' }).click();
  await expect(page).toHaveURL(/xong=1\.000656/);
  await expect(page.getByRole('status')).toContainText(DEATH);
  await page.goto(`/can-bo/quan-tri/thu-tuc?q=${DEATH}`);
  await expect(page.locator(`tr[data-code="${DEATH}"]`)).toContainText('45.000 đ');

  await page.goto(`/thu-tuc/${DEATH}`);
  await expect(page.getByRole('main')).toContainText('45.000');
  await expect(page.getByRole('main')).toContainText('Theo nghị quyết của HĐND tỉnh');
  const res = await request.get(`/api/v1/procedures/${DEATH}`);
  expect(res.status()).toBe(200);
  const fees = (await res.json()).fees;
  expect(fees.length).toBeGreaterThan(0);
  for (const f of fees) expect(f.amount_dong).toBe(45000);
});

test('administration: calendar, workflow, units and audit pages are accessible', async ({ page }) => {
  await h.signIn(page, ADMIN, '/can-bo/quan-tri/lich?nam=2026');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lịch làm việc năm 2026');
  await h.expectAccessible(page, 'admin-calendar');
  await page.goto(`/can-bo/quan-tri/quy-trinh/${h.BIRTH.code}`);
  await expect(page.locator('#id0')).toHaveValue('chuyen_vien');
  await h.expectAccessible(page, 'admin-workflow');
  await page.goto('/can-bo/quan-tri/don-vi?q=pleiku');
  await expect(page.locator('tr[data-code="23575"]')).toBeVisible();
  await h.expectAccessible(page, 'admin-units');
  await page.goto('/can-bo/quan-tri/nhat-ky');
  await expect(page.locator('[data-chain="intact"]')).toBeVisible();
  await h.expectAccessible(page, 'admin-audit');
  await page.goto('/can-bo/quan-tri/nhat-ky?tu=hom-qua');
  await expect(page.getByRole('alert')).toContainText(/NNNN-TT-NN/);
  await h.expectAccessible(page, 'admin-audit-errors');
});
