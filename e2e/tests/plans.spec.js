// The steering pages at /dieu-hanh (issue #8): the responsible unit's officer enters a reported
// value with evidence, the province administrator approves it and the plan page shows it; the
// PAR index, directives (with a progress report) and bottlenecks; axe-core on every page.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

// tiepnhan1 works at 000.00.12.H21, the unit responsible for cds-12 (satisfaction survey) in the
// sample plan; quantri (province administrator) approves. lanhdao1 leads another unit.
const UNIT_OFFICER = { username: 'tiepnhan1', password: 'demo' };
const ADMIN = { username: 'quantri', password: 'demo' };
const LEADER = { username: 'lanhdao1', password: 'demo' };
const PLAN = '/dieu-hanh/ke-hoach/cds-2024?period=2024-Q3';
const INDICATOR = '/dieu-hanh/ke-hoach/cds-2024/chi-tieu/cds-12?period=2024-Q3';

test('a reported value is entered with evidence, approved, and shown on the plan page', async ({ browser }) => {
  // A value no earlier run has entered (the demo's store lives for the whole run).
  const value = (88 + Math.floor(Math.random() * 1000) / 100).toFixed(2);
  const shown = value.replace(/0+$/, '').replace(/\.$/, '');
  const evidence = `Báo cáo khảo sát quý III số ${Date.now() % 100000}/BC-TTPVHCC`;

  const unitContext = await browser.newContext();
  const unit = await unitContext.newPage();
  await h.signIn(unit, UNIT_OFFICER, '/dieu-hanh/ke-hoach');
  await expect(unit).toHaveURL(/\/dieu-hanh\/ke-hoach$/);
  await expect(unit.getByRole('heading', { level: 1 })).toContainText('Kế hoạch');
  await h.expectAccessible(unit, 'plans-list');
  await unit.goto(PLAN);
  await expect(unit.locator('tr[data-indicator="cds-12"]')).toHaveAttribute('data-status', 'missed');
  await h.expectAccessible(unit, 'plans-plan');
  await unit.locator('tr[data-indicator="cds-12"]').getByRole('link').first().click();
  await expect(unit).toHaveURL(/chi-tieu\/cds-12/);

  // An empty form: the error summary names the fields and links to them.
  await unit.getByRole('button', { name: /gửi số liệu/i }).click();
  const summary = unit.locator('[data-error-summary]');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link')).toHaveCount(1);
  await h.expectAccessible(unit, 'plans-indicator-errors');

  await unit.getByLabel(/^kỳ$/i).selectOption('2024-Q3');
  await unit.getByLabel(/^giá trị/i).fill(value.replace('.', ','));
  await unit.getByLabel(/^minh chứng/i).fill(evidence);
  await unit.getByLabel(/^ghi chú/i).fill('Khảo sát 1.200 lượt người dân');
  await unit.getByRole('button', { name: /gửi số liệu/i }).click();
  await expect(unit.locator('[data-done]')).toContainText('chờ phê duyệt');
  const row = unit.locator('tr[data-value-id]', { hasText: evidence });
  await expect(row).toHaveAttribute('data-approved', 'false');
  // The submitter cannot approve their own value.
  await expect(row.getByRole('button', { name: /duyệt số liệu/i })).toHaveCount(0);
  await h.expectAccessible(unit, 'plans-indicator-entered');
  await unitContext.close();

  // Another unit's leader sees it but may not approve it.
  const leaderContext = await browser.newContext();
  const leader = await leaderContext.newPage();
  await h.signIn(leader, LEADER, INDICATOR);
  await expect(leader.locator('tr[data-value-id]', { hasText: evidence })).toBeVisible();
  await expect(
    leader.locator('tr[data-value-id]', { hasText: evidence }).getByRole('button', { name: /duyệt số liệu/i }),
  ).toHaveCount(0);
  await leaderContext.close();

  // The province administrator approves it; the plan page shows the figure and the status.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await h.signIn(admin, ADMIN, INDICATOR);
  const pending = admin.locator('tr[data-value-id]', { hasText: evidence });
  await h.expectAccessible(admin, 'plans-indicator-approver');
  await pending.getByRole('button', { name: /duyệt số liệu/i }).click();
  await expect(admin.locator('[data-done]')).toContainText('Đã phê duyệt');
  await expect(admin.locator('tr[data-value-id]', { hasText: evidence })).toHaveAttribute('data-approved', 'true');
  await admin.goto(PLAN);
  const planRow = admin.locator('tr[data-indicator="cds-12"]');
  await expect(planRow).toHaveAttribute('data-actual', shown);
  await expect(planRow).toHaveAttribute('data-status', 'achieved');
  await expect(planRow).toContainText(shown.replace('.', ','));
  await expect(planRow).toContainText('Đạt');
  await h.screenshot(admin, 'plans-plan-approved');
  await adminContext.close();
});

test('PAR index, directives with a progress report, and bottlenecks', async ({ page }) => {
  // chuyenvien1 works at 23575, an assignee of the sample directive cd-2024-05.
  await h.signIn(page, { username: 'chuyenvien1', password: 'demo' }, '/dieu-hanh/cai-cach-hanh-chinh?nam=2023');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('2023');
  await expect(page.locator('tr.kh-lost').first()).toBeVisible();
  await expect(page.locator('tr.kh-lost').first()).toContainText('giảm điểm');
  await h.expectAccessible(page, 'plans-par');

  await page.goto('/dieu-hanh/chi-dao');
  await expect(page.getByRole('heading', { name: /quá hạn/i, level: 2 })).toBeVisible();
  await expect(page.getByRole('table', { name: /kết quả thực hiện theo đơn vị/i })).toBeVisible();
  await h.expectAccessible(page, 'plans-directives');
  const overdueRow = page.locator('tr[data-state="overdue"]').filter({ hasText: /số hóa/i }).first();
  await overdueRow.getByRole('link').click();
  await expect(page).toHaveURL(/\/dieu-hanh\/chi-dao\//);
  await h.expectAccessible(page, 'plans-directive');
  const note = `Đã số hóa thêm hồ sơ, lần ${Date.now() % 100000}`;
  await page.getByLabel(/nội dung đã thực hiện/i).fill(note);
  await page.getByRole('button', { name: /gửi báo cáo/i }).click();
  await expect(page.locator('[data-done]')).toBeVisible();
  await expect(page.locator('tr[data-report]', { hasText: note })).toBeVisible();

  await page.goto('/dieu-hanh/diem-nghen?period=2024-Q1');
  await expect(page.locator('tr[data-bottleneck]').first()).toBeVisible();
  await expect(page.locator('a[data-report="pdf"]')).toHaveAttribute('href', /steering\.pdf\?period=2024-Q1/);
  await h.expectAccessible(page, 'plans-bottlenecks');
  const pdf = await page.request.get('/api/v1/reports/steering.pdf?period=2024-Q1');
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toBe('application/pdf');

  await page.goto('/dieu-hanh/ke-hoach?lang=en');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Plans');
  await h.expectAccessible(page, 'plans-list-en');
  await page.goto('/dieu-hanh/ke-hoach?lang=vi');
});

test('citizens are refused the steering pages', async ({ page }) => {
  await h.signIn(page, h.CITIZEN);
  for (const path of ['/dieu-hanh/ke-hoach', '/dieu-hanh/chi-dao', '/dieu-hanh/diem-nghen']) {
    const res = await page.goto(path);
    expect(res.status()).toBe(403);
  }
});
