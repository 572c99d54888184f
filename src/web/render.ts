import ejs from 'ejs';
import path from 'node:path';
import { paths } from '../config/index.js';

type Callback = (err: Error | null, html?: string) => void;

const LAYOUT = path.join(paths.views, 'layouts', 'main.ejs');
const PAGES_DIR = path.join(paths.views, 'pages') + path.sep;

/**
 * EJS view engine that wraps every page under views/pages/ in the base layout, so a page
 * template holds only its own content and no page can forget the skip link or landmarks.
 */
export function ejsWithLayout(file: string, options: object, callback: Callback): void {
  ejs.renderFile(file, options, (err, body) => {
    if (err) return callback(err);
    if (!file.startsWith(PAGES_DIR)) return callback(null, body);
    ejs.renderFile(LAYOUT, { ...options, body }, callback);
  });
}
