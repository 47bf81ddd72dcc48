// Feedback and complaints (PAKN): a citizen sends one on the portal, the service centre transfers
// it to the competent unit, a specialist answers, a leader publishes, and the public page shows the
// answer without the sender's data. Also the counter's population look-up. Every page axe-checked.
const { test, expect } = require('@playwright/test');
const h = require('./helpers');

const COUNTER = { username: 'tiepnhan1', password: 'demo' };
const SPECIALIST = { username: 'chuyenvien1', password: 'demo' };
const LEADER = { username: 'lanhdao1', password: 'demo' };

async function switchTo(page, user, next) {
  await page.context().clearCookies();
  await h.signIn(page, user, next);
  await expect(page).toHaveURL(new RegExp(next.replace(/[.?]/g, '\\$&')));
}

test('PAKN: sent, transferred, answered, published, shown without personal data', async ({ page }) => {
  const stamp = `${Date.now()}`.slice(-6);
  const subject = `Thời gian cấp giấy khai sinh ${stamp}`;
  const question = `Vì sao cấp giấy khai sinh chậm? (${stamp})`;
  const answer = `Hồ sơ đã được giải quyết; đề nghị nhận kết quả tại bộ phận một cửa (${stamp}).`;

  await h.signIn(page, h.CITIZEN, '/phan-anh-kien-nghi');
  await expect(page).toHaveURL(/\/phan-anh-kien-nghi$/);
  await page.getByLabel(/số điện thoại hoặc thư điện tử/i).fill('0912 000 111');
  await page.getByLabel(/^tiêu đề/i).fill(subject);
  await page.getByLabel(/nội dung phản ánh/i).fill('Tôi nộp hồ sơ khai sinh cho con đã lâu mà chưa nhận được kết quả.');
  await page.getByRole('button', { name: /gửi phản ánh/i }).click();
  await expect(page).toHaveURL(/\/phan-anh-kien-nghi\/da-gui\?ma=PAKN-/);
  const code = new URL(page.url()).searchParams.get('ma');

  // The service centre receives it and transfers it to the commune with a reason.
  await switchTo(page, COUNTER, '/can-bo/phan-anh');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/phản ánh, kiến nghị/i);
  const row = page.locator(`tr[data-pakn="${code}"]`);
  await expect(row).toContainText(/còn \d+ ngày/);
  await h.expectAccessible(page, 'pakn-list');
  await row.getByRole('link', { name: code }).click();
  await expect(page.getByRole('main')).toContainText(h.CITIZEN.fullName);
  await h.expectAccessible(page, 'pakn-item');
  await page.getByLabel(/^đến đơn vị/i).selectOption('23575');
  await page.getByRole('button', { name: /^chuyển$/i }).click();
  await expect(page.getByRole('alert')).toContainText(/lý do/i);
  await h.expectAccessible(page, 'pakn-item-errors');
  await page.getByLabel(/^lý do/i).fill('Thuộc thẩm quyền UBND phường Pleiku');
  await page.getByRole('button', { name: /^chuyển$/i }).click();
  await expect(page).toHaveURL(/\/can-bo\/phan-anh\?xong=chuyen/);
  await expect(page.locator(`tr[data-pakn="${code}"]`)).toHaveCount(0);

  // The specialist of the commune answers.
  await switchTo(page, SPECIALIST, `/can-bo/phan-anh/${code}`);
  await expect(page.getByRole('main')).toContainText('Thuộc thẩm quyền UBND phường Pleiku');
  await page.getByLabel(/nội dung trả lời/i).fill(answer);
  await page.getByRole('button', { name: /lưu trả lời/i }).click();
  await expect(page.locator('[data-done]')).toContainText(/đã lưu trả lời/i);
  await expect(page.getByRole('button', { name: /^công khai$/i })).toHaveCount(0);

  // The leader publishes it with the question rewritten.
  await switchTo(page, LEADER, `/can-bo/phan-anh/${code}`);
  await page.getByLabel(/câu hỏi công khai/i).fill(question);
  await page.getByLabel(/không chứa thông tin cá nhân/i).check();
  await h.expectAccessible(page, 'pakn-publish');
  await page.getByRole('button', { name: /^công khai$/i }).click();
  await expect(page.locator('[data-done]')).toContainText(/đã công khai/i);

  // The public page: the question and the answer, not the sender.
  await page.context().clearCookies();
  await page.goto('/phan-anh-kien-nghi/cong-khai');
  const card = page.locator(`[data-pakn="${code}"]`);
  await expect(card).toContainText(question);
  await expect(card).toContainText(answer);
  await expect(page.getByRole('main')).not.toContainText(h.CITIZEN.fullName);
  await expect(page.getByRole('main')).not.toContainText('0912 000 111');
  await expect(page.getByRole('main')).not.toContainText(subject);
  await h.expectAccessible(page, 'pakn-public');
  await h.screenshot(page, 'pakn-public');
});

test('counter intake: the applicant is looked up in the population registry', async ({ page }) => {
  await h.signIn(page, COUNTER, `/can-bo/tiep-nhan?thu_tuc=${h.BIRTH.code}`);
  await page.getByLabel(/số định danh cá nhân/i).fill(h.CITIZEN.personalId);
  await page.getByRole('button', { name: /tra cứu csdl quốc gia về dân cư/i }).click();
  await expect(page.locator('[data-looked-up]')).toBeVisible();
  expect(page.url()).not.toContain(h.CITIZEN.personalId);
  await expect(page.getByLabel(/^họ và tên/i)).toHaveValue(h.CITIZEN.fullName);
  await expect(page.getByLabel(/ngày sinh/i)).toHaveValue('1990-03-14');
  await h.expectAccessible(page, 'backoffice-intake-lookup');
});
