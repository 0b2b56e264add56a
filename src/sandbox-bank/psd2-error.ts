/** A NextGenPSD2 error: HTTP status plus tppMessages (category, code, text), as the spec's Error*_NG_* bodies. */
export class Psd2Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly text: string,
    readonly options: { path?: string; headers?: Record<string, string>; noBody?: boolean } = {},
  ) {
    super(`${status} ${code}: ${text}`);
    this.name = 'Psd2Error';
  }

  body(): Record<string, unknown> | undefined {
    if (this.options.noBody) return undefined;
    const message: Record<string, string> = {
      category: 'ERROR',
      code: this.code,
      text: this.text.slice(0, 500),
    };
    if (this.options.path) message.path = this.options.path;
    return { tppMessages: [message] };
  }
}

export const formatError = (text: string, path?: string) =>
  new Psd2Error(400, 'FORMAT_ERROR', text, path ? { path } : {});
export const resourceUnknown = (what: string) => new Psd2Error(404, 'RESOURCE_UNKNOWN', `Unknown ${what}.`);
export const consentUnknown = () => new Psd2Error(403, 'CONSENT_UNKNOWN', 'The Consent-ID is not known.');
export const consentInvalid = (text = 'The consent is not valid for this request.') =>
  new Psd2Error(401, 'CONSENT_INVALID', text);
