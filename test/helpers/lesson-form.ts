import { expect } from 'chai';

/** The form of one activity on a lesson page, as the learner's browser would post it: its action URL, CSRF token and action id. */
export function activityForm(html: string, activityId: string): { url: string; csrf: string; actionId: string } {
  const url = new RegExp(`action="(/moduler/[^"]*/aktiviteter/${activityId.replace(':', '%3A')}/[a-zA-Z]+)"`).exec(html)?.[1];
  expect(url, `form of ${activityId}`).to.be.a('string');
  const rest = html.slice(html.indexOf(`action="${url}"`));
  return { url: url!, csrf: /name="_csrf" value="([^"]+)"/.exec(rest)![1]!, actionId: /name="actionId" value="([^"]+)"/.exec(rest)![1]! };
}
