import { assert, fa, waitFor, waitForText, type Scenario } from '../context.js';

export const speech: Scenario = {
  name: 'speech: synthesise Persian with the built-in voice, see the player, the waveform and the history row',
  async run({ page, goto, shot }) {
    await goto('/speech');
    const text = page.getByLabel(fa.speech.text);
    await text.fill('سلام! امروز ۱۲ خرداد است و ۲۵٪ تخفیف داریم.');
    await page.getByRole('button', { name: fa.speech.speak }).click();
    await page.getByTestId('player').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="waveform"]:not([data-bars="0"])').waitFor();
    const link = page.locator('[data-testid="download-wav"][href^="blob:"]');
    await link.waitFor();
    const href = (await link.getAttribute('href')) ?? '';
    // The audio is real and not silence: read it back through the link the user would download.
    const loud = await page.evaluate(async (url) => {
      const buf = await (await fetch(url)).arrayBuffer();
      const view = new DataView(buf);
      let peak = 0;
      for (let o = 44; o + 1 < buf.byteLength; o += 2) peak = Math.max(peak, Math.abs(view.getInt16(o, true)));
      return { bytes: buf.byteLength, peak };
    }, href);
    assert(loud.bytes > 10_000 && loud.peak > 1000, `the audio looks silent (${JSON.stringify(loud)})`);
    await waitForText('the history row for this text', page.getByTestId('history-row').first(), (text) => text.includes('خرداد'));
    await shot('speech');
    // Playing the history row loads its audio from the server into the player: a new clip behind the link.
    await page.getByTestId('history-row').first().getByRole('button', { name: fa.speech.play }).click();
    await page.locator(`[data-testid="download-wav"][href^="blob:"]:not([href="${href}"])`).waitFor();
  },
};

const PIPER_REPO = 'sokhan-lab/piper-fa-amir-medium';

export const piperVoice: Scenario = {
  name: 'a downloaded Piper voice joins the voice picker with its license and sliders, and speaks',
  async run({ page, goto, shot }) {
    await goto(`/hub/${PIPER_REPO}`);
    await page.getByRole('button', { name: fa.hub.download }).click();
    await waitFor('the voice download to complete', async () => (await page.getByTestId('download-item').getAttribute('data-status')) === 'completed', 60_000);
    await goto('/speech');
    const picker = page.getByTestId('voice-picker');
    await waitFor('the Piper voice in the picker', async () => (await picker.locator('option').count()) >= 2, 15_000);
    const value = await picker.locator('option').nth(1).getAttribute('value');
    assert(value?.startsWith('piper:'), `the second voice is ${value}`);
    await picker.selectOption(value);
    await page.getByText(fa.speech.engines.piper).waitFor();
    await page.getByText(fa.speech.lengthScale).waitFor();
    await page.getByText(fa.speech.noiseScale).waitFor();
    await page.getByText('cc-by-4.0').first().waitFor();
    await shot('speech-piper-voice');
    // The mirror's voice is a real (generated) ONNX model: it speaks, at its own sample rate.
    const before = (await page.locator('[data-testid="download-wav"]').getAttribute('href').catch(() => null)) ?? '';
    await page.getByLabel(fa.speech.text).fill('سلام، این صدای پایپر است.');
    await page.getByRole('button', { name: fa.speech.speak }).click();
    const link = page.locator(`[data-testid="download-wav"][href^="blob:"]:not([href="${before}"])`);
    await link.waitFor({ timeout: 60_000 });
    const wav = await page.evaluate(async (url) => {
      const buf = await (await fetch(url)).arrayBuffer();
      const view = new DataView(buf);
      let peak = 0;
      for (let o = 44; o + 1 < buf.byteLength; o += 2) peak = Math.max(peak, Math.abs(view.getInt16(o, true)));
      return { bytes: buf.byteLength, rate: view.getUint32(24, true), peak };
    }, (await link.getAttribute('href')) ?? '');
    assert(wav.rate === 22050 && wav.bytes > 10_000 && wav.peak > 1000, `the Piper voice did not speak: ${JSON.stringify(wav)}`);
    await page.getByTestId('unavailable-voices').waitFor({ state: 'detached' });
    await shot('speech-piper-spoken');
  },
};
