// The leadership dashboards at /dieu-hanh: a leader signs in, reads the province overview (charts
// with their tables), changes the period with the GET form, opens the ranking, a unit and the
// dossiers behind lost points; axe-core on every view; citizens are refused.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

const LEADER = { username: 'lanhdao1', password: 'demo' };

test('a leader reads the province overview and changes the period', async ({ page }) => {
  await h.signIn(page, LEADER, '/dieu-hanh');
  await expect(page).toHaveURL(/\/dieu-hanh/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Chỉ số phục vụ');
  // Default period: this year to date.
  const year = new Date().getFullYear();
  await expect(page.locator('[data-period]')).toHaveAttribute('data-period', new RegExp(`^${year}-01-01\\.\\.`));
  // Charts are named images followed by their tables.
  await expect(page.getByRole('img', { name: /điểm của từng nhóm/i })).toBeVisible();
  await expect(page.getByRole('img', { name: /theo tháng/i })).toBeVisible();
  await expect(page.getByRole('table', { name: /chi tiết các chỉ số/i })).toBeVisible();
  await h.expectAccessible(page, 'dashboards-overview');
  await h.screenshot(page, 'dashboards-overview');

  // The first quarter of last year, through the form.
  await page.getByRole('radio', { name: /^quý$/i }).check();
  await page.locator('input#nam').fill(String(year - 1));
  await page.locator('select#quy').selectOption('1');
  await page.getByRole('button', { name: /^xem$/i }).click();
  await expect(page).toHaveURL(/ky=quy/);
  await expect(page.locator('[data-period]')).toHaveAttribute('data-period', `${year - 1}-01-01..${year - 1}-03-31`);
  await h.expectAccessible(page, 'dashboards-quarter');

  // English.
  await page.goto('/dieu-hanh?lang=en');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('service quality index');
  await h.expectAccessible(page, 'dashboards-overview-en');
  await page.goto('/dieu-hanh?lang=vi');
});

test('ranking, a unit page and the dossiers that cost points', async ({ page }) => {
  await h.signIn(page, LEADER, '/dieu-hanh/xep-hang?cap=xa');
  await expect(page).toHaveURL(/xep-hang\?cap=xa/);
  const rows = page.locator('tr[data-unit]');
  expect(await rows.count()).toBeGreaterThan(10);
  const totals = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.total)));
  for (let i = 1; i < totals.length; i += 1) expect(totals[i]).toBeLessThanOrEqual(totals[i - 1]);
  await h.expectAccessible(page, 'dashboards-ranking');
  // The leading commune's own overview.
  await rows.first().getByRole('link').click();
  await expect(page).toHaveURL(/\/dieu-hanh\/don-vi\//);
  await h.expectAccessible(page, 'dashboards-unit');
  // The late dossiers of the province: codes and procedures, never a personal id.
  await page.goto('/dieu-hanh/chi-so/2.1');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('2.1');
  const body = await page.locator('main').innerText();
  expect(body).not.toMatch(/\b\d{12}\b/);
  await h.expectAccessible(page, 'dashboards-late');
});

test('the late dossiers name the step that caused the delay, and every view downloads', async ({ page }) => {
  await h.signIn(page, LEADER, '/dieu-hanh/chi-so/2.1');
  await expect(page.getByRole('columnheader', { name: 'Bước gây chậm' })).toBeVisible();
  // Every listed dossier names its cause (a step, or processing without step detail) or the
  // second supplement request; the summary groups them by step and unit.
  const causes = page.locator('td[data-cause]');
  expect(await causes.count()).toBeGreaterThan(0);
  const texts = await causes.allInnerTexts();
  for (const t of texts) expect(t.trim().length).toBeGreaterThan(0);
  await expect(page.getByRole('table', { name: /theo bước gây chậm/i })).toBeVisible();
  const counts = await page.locator('tr[data-cause-step]').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.count)));
  expect(counts.length).toBeGreaterThan(0);
  for (let i = 1; i < counts.length; i += 1) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]);
  await h.expectAccessible(page, 'dashboards-late-causes');

  // The Excel export of this view downloads as a file.
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[data-export="xlsx"]').click(),
  ]);
  expect(xlsx.suggestedFilename()).toMatch(/^chi-so-2\.1-.*\.xlsx$/);
  const xlsxPath = await xlsx.path();
  expect(require('fs').statSync(xlsxPath).size).toBeGreaterThan(1000);

  // The overview's PDF.
  await page.goto('/dieu-hanh');
  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[data-export="pdf"]').click(),
  ]);
  expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
  const head = require('fs').readFileSync(await pdf.path()).subarray(0, 5).toString();
  expect(head).toBe('%PDF-');
});

test('an old commune is found and leads to the commune it merged into', async ({ page }) => {
  await h.signIn(page, LEADER, '/dieu-hanh/xep-hang?cap=xa');
  await expect(page.locator('[data-old-units-note]')).toBeVisible();
  // Take a predecessor from the leading commune's page, then search for it by its old code.
  await page.locator('tr[data-unit]').first().getByRole('link').click();
  const formed = page.locator('[data-predecessors] .code');
  if ((await formed.count()) === 0) return; // a commune formed from no other unit
  const oldCode = (await formed.first().innerText()).trim();
  await page.getByLabel('Mã hoặc tên đơn vị').fill(oldCode);
  await page.getByRole('button', { name: /^tìm$/i }).click();
  await expect(page).toHaveURL(/tim-don-vi/);
  await h.expectAccessible(page, 'dashboards-unit-search');
  const hit = page.locator(`[data-hit="${oldCode}"]`);
  await expect(hit).toBeVisible();
  await hit.getByRole('link').click();
  await expect(page).toHaveURL(/\/dieu-hanh\/don-vi\//);
  await h.expectAccessible(page, 'dashboards-unit-from-old');
});

test('citizens are refused', async ({ page }) => {
  await h.signIn(page, h.CITIZEN);
  const res = await page.goto('/dieu-hanh');
  expect(res.status()).toBe(403);
});
