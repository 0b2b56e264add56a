/** The CSRF token of a hosted page's form (the one scrape every page test uses). */
export function csrfOf(html: string): string {
  return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
}
