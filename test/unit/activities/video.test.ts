import { expect } from 'chai';
import { video, isAllowedEmbed } from '../../../src/activities/video.js';
import type { ViewContext } from '../../../src/activities/types.js';

const base = { id: 'film-samling', title: 'Samlingsstund', captions: 'assets/film.vtt', transcript: 'assets/film.md' };
const ctx: ViewContext = {
  assetUrl: (f) => `/moduler/filer/h/${f.slice(7)}`,
  readText: (f) => (f === 'assets/film.md' ? 'Hei **alle**' : undefined),
  markdown: (s) => `<p>${s}</p>`,
  language: 'nb',
};

describe('activities/video', () => {
  it('settings: a local file with captions and transcript is valid', () => {
    const parsed = video.settingsSchema.safeParse({ ...base, src: 'assets/film.mp4' });
    expect(parsed.success).to.equal(true);
    expect(video.files!(parsed.data!).map((f) => f.file)).to.deep.equal(['assets/film.vtt', 'assets/film.md', 'assets/film.mp4']);
  });

  it('settings: captions or transcript missing is refused', () => {
    const noCaptions = video.settingsSchema.safeParse({ id: 'x', title: 'T', src: 'assets/f.mp4', transcript: 'assets/f.md' });
    expect(noCaptions.success).to.equal(false);
    expect(noCaptions.error!.issues.map((i) => i.path.join('.'))).to.include('captions');
    const noTranscript = video.settingsSchema.safeParse({ id: 'x', title: 'T', src: 'assets/f.mp4', captions: 'assets/f.vtt' });
    expect(noTranscript.error!.issues.map((i) => i.path.join('.'))).to.include('transcript');
  });

  it('settings: both src and embed, or neither, is refused', () => {
    expect(video.settingsSchema.safeParse({ ...base }).success).to.equal(false);
    expect(video.settingsSchema.safeParse({ ...base, src: 'assets/f.mp4', embed: 'https://player.vimeo.com/video/1' }).success).to.equal(false);
  });

  it('settings: an embed must be https on an allow-listed host', () => {
    expect(video.settingsSchema.safeParse({ ...base, embed: 'https://www.youtube-nocookie.com/embed/abc' }).success).to.equal(true);
    const evil = video.settingsSchema.safeParse({ ...base, embed: 'https://evil.example/embed' });
    expect(evil.error!.issues[0]!.path).to.deep.equal(['embed']);
    expect(isAllowedEmbed('http://player.vimeo.com/video/1')).to.equal(false);
    expect(isAllowedEmbed('javascript:alert(1)')).to.equal(false);
    expect(isAllowedEmbed('https://user@player.vimeo.com/video/1')).to.equal(false);
  });

  it('markWatched: records the first time only and completes', () => {
    const settings = video.settingsSchema.parse({ ...base, src: 'assets/film.mp4' });
    const once = video.actions.markWatched!.apply(settings, video.initialState(), {} as never, new Date('2026-01-01T00:00:00Z'));
    const twice = video.actions.markWatched!.apply(settings, once, {} as never, new Date('2026-02-01T00:00:00Z'));
    expect(twice.watchedAt).to.equal('2026-01-01T00:00:00.000Z');
    expect(video.isComplete(settings, video.initialState())).to.equal(false);
    expect(video.isComplete(settings, twice)).to.equal(true);
  });

  it('publicSettings: served URLs and the rendered transcript', () => {
    const settings = video.settingsSchema.parse({ ...base, src: 'assets/film.mp4' });
    expect(video.publicSettings(settings, ctx)).to.deep.equal({
      title: 'Samlingsstund',
      src: '/moduler/filer/h/film.mp4',
      embed: null,
      captionsUrl: '/moduler/filer/h/film.vtt',
      transcriptHtml: '<p>Hei **alle**</p>',
      language: 'nb',
    });
  });
});
