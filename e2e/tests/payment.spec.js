// Paying fees online through the sandbox gateway, rating the result, and the PAKN form:
// every page checked with axe-core.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

/** congdan1's online dossier with 50,000 đồng of fees requested (status 6). */
async function dossierWithFeesDue(request) {
  const auth = async (u) => ({ Authorization: `Bearer ${await h.apiToken(request, u)}` });
  const res = await request.post('/api/v1/dossiers', {
    headers: await auth('congdan1'),
    data: {
      procedure: h.BIRTH.code,
      unit: '23575',
      channel: 2,
      applicant: { name: h.CITIZEN.fullName, personal_id: h.CITIZEN.personalId, birth_date: '1990-05-01' },
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const code = (await res.json()).MaHoSo;
  const act = async (u, body) => {
    const r = await request.post(`/api/v1/dossiers/${encodeURIComponent(code)}/actions`, {
      headers: await auth(u),
      data: body,
    });
    expect(r.status(), await r.text()).toBe(200);
  };
  await act('tiepnhan1', { action: 'accept' });
  await act('chuyenvien1', { action: 'request_payment', amount_dong: 50000 });
  return { code, act };
}

test('fees paid online through the sandbox gateway, then the result rated', async ({ page, request }) => {
  const { code, act } = await dossierWithFeesDue(request);
  await h.signIn(page);
  await page.goto(`/thanh-toan/${code}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/thanh toán/i);
  await expect(page.getByText('50.000 ₫')).toBeVisible();
  await h.expectAccessible(page, 'payment');
  await h.screenshot(page, 'payment');
  await page.getByRole('button', { name: 'Thanh toán' }).click();

  await expect(page).toHaveURL(/\/sandbox-thanh-toan\//);
  await h.expectAccessible(page, 'payment-sandbox-gateway');
  await page.getByRole('button', { name: 'Xác nhận thanh toán' }).click();

  await expect(page).toHaveURL(/\/ket-qua\?/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thanh toán thành công');
  await h.expectAccessible(page, 'payment-result');
  await h.screenshot(page, 'payment-result');
  const view = await request.get(`/api/v1/dossiers/${encodeURIComponent(code)}`);
  expect((await view.json()).status.code).toBe(4);

  // The result is issued; the applicant rates it once.
  await act('chuyenvien1', { action: 'forward' });
  await act('lanhdao1', { action: 'approve' });
  await act('chuyenvien1', { action: 'finish' });
  await page.goto(`/danh-gia/${code}`);
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await expect(page.getByRole('alert')).toContainText('Hãy chọn một mức độ hài lòng');
  await h.expectAccessible(page, 'rating-error');
  await page.getByLabel('Hài lòng', { exact: true }).check();
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cảm ơn bạn đã đánh giá');
  await h.expectAccessible(page, 'rating-done');
});

test('PAKN: errors summarised, then a tracking code with a 15-working-day deadline', async ({ page }) => {
  await page.goto('/phan-anh-kien-nghi');
  await h.expectAccessible(page, 'pakn');
  await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
  await expect(page.getByRole('alert')).toContainText('Nhập nội dung');
  await h.expectAccessible(page, 'pakn-errors');
  await page.getByLabel('Họ và tên').fill('Nguyễn Văn Hùng');
  await page.getByLabel(/Số điện thoại hoặc thư điện tử/).fill('0912345678');
  await page.getByLabel('Tiêu đề').fill('Hướng dẫn chưa rõ');
  await page.getByLabel('Nội dung phản ánh, kiến nghị').fill('Trang hướng dẫn thiếu mẫu tờ khai.');
  await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đã gửi phản ánh, kiến nghị');
  await expect(page.getByText(/^PAKN-\d{6}-[0-9A-F]{6}$/)).toBeVisible();
  await expect(page.getByText('Hạn trả lời')).toBeVisible();
  await h.expectAccessible(page, 'pakn-done');
  await h.screenshot(page, 'pakn-done');
});
