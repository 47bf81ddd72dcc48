// The citizen's whole journey, keyboard and mouse as a person would: search → procedure page →
// "Nộp trực tuyến" → sign in → submission form with an upload → check answers → submit →
// confirmation with the dossier code → status look-up of that code.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

const CODE_RE = /\d{3}\.\d{2}\.\d{2}\.[A-Z0-9]+-\d{6}-\d{4}/;

/** A small, well-formed one-page PDF (an upload must look like what it claims to be). */
function tinyPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

test('search → sign in → submit with an upload → confirmation → status look-up', async ({ page, request }) => {
  await h.skipIfPending(request, `/nop-ho-so/${h.BIRTH.code}`);
  // Personal identification numbers never travel in URLs (they are in the form, posted in bodies).
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));

  // Find.
  await page.goto('/');
  const box = page.getByRole('searchbox').or(page.getByRole('textbox', { name: /tìm|search/i })).first();
  await box.fill('khai sinh');
  await box.press('Enter');
  await page.getByRole('main').getByRole('link', { name: h.BIRTH.name }).first().click();
  await expect(page).toHaveURL(new RegExp(`/thu-tuc/${h.BIRTH.code.replace('.', '\\.')}`));

  // Start the online submission; an anonymous visitor is sent to sign in first, then back.
  await page.getByRole('link', { name: /nộp trực tuyến|apply online|submit online/i })
    .or(page.getByRole('button', { name: /nộp trực tuyến|apply online|submit online/i })).first().click();
  await expect(page).toHaveURL(/\/dang-nhap/);
  await page.getByLabel(/tên đăng nhập|username/i).fill(h.CITIZEN.username);
  await page.getByLabel(/mật khẩu|password/i).fill(h.CITIZEN.password);
  await page.getByRole('button', { name: /đăng nhập|sign in/i }).click();
  await expect(page).toHaveURL(new RegExp(`/nop-ho-so/${h.BIRTH.code.replace('.', '\\.')}`));

  // The applicant is prefilled from the account (Đề án 06: do not ask for what the state holds).
  await expect(page.getByRole('textbox', { name: /^(họ và tên|full name)/i })).toHaveValue(h.CITIZEN.fullName);
  await expect(page.getByRole('textbox', { name: /^(số định danh cá nhân|personal identification number)/i })).toHaveValue(h.CITIZEN.personalId);
  await h.screenshot(page, 'journey-form');
  await h.expectAccessible(page, 'journey-form');

  // Where: the commune of the demo (UBND Phường Pleiku) when offered, else the first unit listed.
  const unit = page.getByRole('combobox', { name: /cơ quan giải quyết|competent|authority/i });
  if (!(await unit.inputValue())) {
    const names = await unit.locator('option').allInnerTexts();
    const pleiku = names.find((n) => /pleiku/i.test(n));
    await unit.selectOption(pleiku ? { label: pleiku } : { index: 1 });
  }
  const phone = page.getByRole('textbox', { name: /^(số điện thoại|phone)/i });
  await phone.fill('0912345678');

  // Upload the birth certificate (Giấy chứng sinh), the paper every birth registration needs.
  const files = page.locator('input[type=file]');
  expect(await files.count(), 'document upload fields').toBeGreaterThan(0);
  await page.getByLabel(/(^|nộp\s*)giấy chứng sinh/i)
    .setInputFiles({ name: 'giay-chung-sinh.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });

  // Check answers, then submit.
  await page.getByRole('button', { name: /^(tiếp tục|continue)$/i }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/kiểm tra|check/i);
  await expect(page.getByRole('main')).toContainText('giay-chung-sinh.pdf');
  await h.expectAccessible(page, 'journey-check');
  await page.getByRole('button', { name: /^(gửi hồ sơ|nộp hồ sơ|send|submit)/i }).click();

  // Confirmation with the dossier code.
  const main = page.getByRole('main');
  await expect(main).toContainText(CODE_RE);
  const code = (await main.innerText()).match(CODE_RE)[0];
  await h.screenshot(page, 'journey-confirmation');
  await h.expectAccessible(page, 'journey-confirmation');

  // Follow: the public status look-up knows it, and "my dossiers" lists it.
  await page.goto('/tra-cuu');
  const field = page.getByLabel(/mã hồ sơ|dossier code/i);
  await field.fill(code);
  await field.press('Enter');
  await expect(page.getByRole('main')).toContainText(code);
  await expect(page.getByRole('main')).toContainText(h.BIRTH.name);
  await page.goto('/ca-nhan');
  await expect(page.getByRole('main')).toContainText(code);

  expect(urls.length).toBeGreaterThan(5);
  expect(urls.filter((u) => u.includes(h.CITIZEN.personalId)), 'URLs carrying the personal id').toEqual([]);
});

test('an officer asks for a paper → the citizen sends it from "Hồ sơ của tôi" → processing resumes', async ({ page, request }) => {
  // The dossier: submitted online by the citizen, accepted at the counter, a paper asked for.
  const citizen = await h.apiToken(request, h.CITIZEN2.username);
  const res = await request.post('/api/v1/dossiers', {
    headers: { Authorization: `Bearer ${citizen}`, 'Idempotency-Key': `e2e-supp-${Date.now()}-${Math.random()}` },
    data: {
      procedure: h.BIRTH.code,
      unit: '23575',
      channel: 2,
      applicant: { name: h.CITIZEN2.fullName, personal_id: h.CITIZEN2.personalId },
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const code = (await res.json()).MaHoSo;
  const act = async (username, body) => {
    const token = await h.apiToken(request, username);
    const r = await request.post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`, {
      headers: { Authorization: `Bearer ${token}` },
      data: body,
    });
    expect(r.status(), await r.text()).toBe(200);
    return r.json();
  };
  await act('tiepnhan1', { action: 'accept' });
  const asked = await act('chuyenvien1', {
    action: 'request_supplement',
    note: 'Giấy tờ cần bổ sung: Giấy chứng sinh. Bản chụp bị mờ, đề nghị tải lại bản rõ.',
  });
  expect(asked.status.code).toBe(5);

  await h.signIn(page, h.CITIZEN2, '/ca-nhan');
  await page.getByRole('link', { name: new RegExp(`(bổ sung hồ sơ|send missing papers) ${code.replace(/\./g, '\\.')}`, 'i') }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(code);
  await expect(page.getByRole('main')).toContainText('Bản chụp bị mờ');
  await h.expectAccessible(page, 'supplement-form');

  // Sending nothing: an error summary that leads to the field.
  await page.getByRole('button', { name: /gửi bổ sung|^send$/i }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await h.expectAccessible(page, 'supplement-errors');

  const file = page.locator('input[type=file]').first();
  await file.setInputFiles({ name: 'giay-chung-sinh-ro.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
  await page.getByRole('button', { name: /gửi bổ sung|^send$/i }).click();
  await expect(page).toHaveURL(/\/tra-cuu\?ma=/);
  await expect(page.getByRole('main')).toContainText(/đang xử lý|in progress|being processed/i);
});
