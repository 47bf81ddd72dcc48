// The back office at /can-bo: counter intake with its receipt, and a full processing path
// (accept → forward → approve → finish → return) through the officers' pages, axe-checked.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

const COUNTER = { username: 'tiepnhan1', password: 'demo' };
const SPECIALIST = { username: 'chuyenvien1', password: 'demo' };
const LEADER = { username: 'lanhdao1', password: 'demo' };

// The smallest file the engine takes as a PDF.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** Signs the current user out (cookies cleared) and `user` in, landing on `next`. */
async function switchTo(page, user, next) {
  await page.context().clearCookies();
  await h.signIn(page, user, next);
  await expect(page).toHaveURL(new RegExp(next.replace(/[.?]/g, '\\$&')));
}

/** The action form titled exactly `label` on the dossier page: opens it, fills it, sends it. */
async function act(page, label, fill = async () => {}) {
  const form = page.locator('details').filter({ has: page.locator('summary', { hasText: new RegExp(`^${label}$`) }) });
  // A dossier with one action shows its form open already.
  if (!(await form.evaluate((d) => d.open))) await form.locator('summary').click();
  await fill(form);
  await form.getByRole('button', { name: new RegExp(`^${label}$`) }).click();
}

test('counter intake: procedure, applicant, papers, scan, receipt with form 01', async ({ page }) => {
  await h.signIn(page, COUNTER, '/can-bo/tiep-nhan');
  await expect(page).toHaveURL(/\/can-bo\/tiep-nhan/);
  await h.expectAccessible(page, 'backoffice-intake-search');
  await page.getByLabel(/tìm thủ tục/i).fill('khai sinh');
  await page.getByRole('button', { name: /tìm thủ tục/i }).click();
  await page.getByRole('link', { name: h.BIRTH.name }).first().click();
  await expect(page).toHaveURL(/thu_tuc=1\.001193/);
  await page.getByLabel(/cơ quan có thẩm quyền/i).selectOption('23575');
  await page.getByLabel(/^họ và tên/i).fill('Trần Văn Bình');
  await page.getByLabel(/số định danh cá nhân/i).fill('064190012399');
  await page.getByLabel(/ngày sinh/i).fill('1985-01-01');
  await page.getByLabel(/số điện thoại/i).fill('0912345678');
  await page.getByLabel(/địa chỉ liên hệ/i).fill('12 Hùng Vương, Pleiku');
  for (const box of await page.getByRole('checkbox', { name: /đã nhận/i }).all()) await box.check();
  await page.getByLabel(/bản quét/i).first().setInputFiles({ name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await h.expectAccessible(page, 'backoffice-intake-form');
  await page.getByRole('button', { name: /tiếp nhận và in giấy hẹn/i }).click();
  // The birth date does not match the personal id: the error summary links to the field.
  const summary = page.getByRole('alert');
  await expect(summary).toContainText(/số định danh/i);
  await h.expectAccessible(page, 'backoffice-intake-errors');
  await summary.getByRole('link').first().click();
  await expect(page.getByLabel(/số định danh cá nhân/i)).toBeFocused();
  await page.getByLabel(/ngày sinh/i).fill('1990-03-04');
  await page.getByLabel(/bản quét/i).first().setInputFiles({ name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByRole('button', { name: /tiếp nhận và in giấy hẹn/i }).click();
  await expect(page).toHaveURL(/\/can-bo\/tiep-nhan\/bien-nhan\//);
  expect(page.url()).not.toContain('064190012399');
  const main = page.getByRole('main');
  await expect(main).toContainText(/đã tiếp nhận hồ sơ/i);
  const code = (await page.locator('[data-code]').innerText()).trim();
  expect(code).toMatch(/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$/);
  await expect(page.getByRole('link', { name: /mẫu 01/i })).toHaveAttribute('href', `/api/v1/dossiers/${code}/forms/01.pdf`);
  await h.expectAccessible(page, 'backoffice-receipt');
  await h.screenshot(page, 'backoffice-receipt');
});

test('processing path: accept, forward, approve, finish, return the result', async ({ page, request }) => {
  const token = await h.apiToken(request, h.CITIZEN.username);
  const res = await request.post('/api/v1/dossiers', {
    headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': `e2e-bo-${Date.now()}-${Math.random()}` },
    data: { procedure: h.BIRTH.code, unit: '23575', channel: 2, applicant: { name: h.CITIZEN.fullName, personal_id: h.CITIZEN.personalId } },
  });
  expect(res.status(), await res.text()).toBe(201);
  const code = (await res.json()).MaHoSo;
  const dossier = `/can-bo/ho-so/${code}`;

  // The counter accepts the online submission.
  await h.signIn(page, COUNTER, '/can-bo?hang=cho-tiep-nhan');
  await h.expectAccessible(page, 'backoffice-inbox');
  await h.screenshot(page, 'backoffice-inbox');
  await page.goto(dossier);
  await h.expectAccessible(page, 'backoffice-dossier');
  await act(page, 'Tiếp nhận', (f) => f.getByLabel(/ghi chú/i).fill('Đủ giấy tờ'));
  await expect(page.getByRole('status')).toContainText(/đã thực hiện: tiếp nhận/i);

  // The specialist forwards it to the leader.
  await switchTo(page, SPECIALIST, '/can-bo?hang=dang-xu-ly');
  await page.getByRole('link', { name: code }).click();
  await act(page, 'Chuyển bước', async (f) => {
    await f.getByLabel(/chuyển đến bước/i).selectOption('lanh_dao');
    await f.getByLabel(/ghi chú/i).fill('Trình ký');
  });
  await expect(page.getByRole('status')).toContainText(/chuyển bước/i);
  await expect(page.locator('[data-step]')).toContainText(/lãnh đạo/i);

  // The leader approves from the approval queue.
  await switchTo(page, LEADER, '/can-bo?hang=cho-phe-duyet');
  await page.getByRole('link', { name: code }).click();
  await act(page, 'Phê duyệt');
  await expect(page.getByRole('status')).toContainText(/phê duyệt/i);

  // The specialist records the result.
  await switchTo(page, SPECIALIST, dossier);
  await act(page, 'Có kết quả');
  await expect(page.locator('[data-status]')).toContainText(/đã xử lý xong/i);

  // The counter returns it, naming who received it; a missing name is an error first.
  await switchTo(page, COUNTER, '/can-bo?hang=cho-tra-ket-qua');
  await page.goto(dossier);
  await act(page, 'Trả kết quả');
  await expect(page.getByRole('alert')).toContainText(/người nhận/i);
  await h.expectAccessible(page, 'backoffice-dossier-error');
  await act(page, 'Trả kết quả', (f) => f.getByLabel(/người nhận kết quả/i).fill('Nguyễn Thị Lan, CCCD'));
  // Returned, the dossier has left the counter: back to the inbox with the banner.
  await expect(page.getByRole('status')).toContainText(/đã thực hiện: trả kết quả/i);
  await expect(page).toHaveURL(/\/can-bo\?xong=return_result/);

  // The control sheet shows the three steps with their hand-overs.
  await switchTo(page, SPECIALIST, `${dossier}/phieu-kiem-soat`);
  await expect(page.locator('tr[data-stint]')).toHaveCount(3);
  await h.expectAccessible(page, 'backoffice-control-sheet');
});
