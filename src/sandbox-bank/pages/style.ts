import { type BankId, banks } from '../banks.js';

/** One small stylesheet per bank, served by the sandbox itself (CSP style-src 'self', no CDN). */
export function bankStylesheet(bank: BankId): string {
  const t = banks[bank].theme;
  return `:root{--primary:${t.primary};--accent:${t.accent};--bg:${t.background};--text:${t.text}}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--text)}
header{background:var(--primary);color:#fff;padding:14px 20px;display:flex;align-items:center;gap:12px}
.logo{background:var(--accent);color:var(--primary);font-weight:800;padding:6px 10px;border-radius:4px;letter-spacing:.5px}
.sandbox{margin-left:auto;font-size:12px;opacity:.8;text-transform:uppercase}
main{max-width:440px;margin:28px auto;padding:0 16px}
.card{background:#fff;border-radius:10px;box-shadow:0 2px 10px rgba(0,0,0,.08);padding:22px}
h1{font-size:20px;margin:0 0 16px}
label{display:block;font-size:14px;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;padding:10px;border:1px solid #bbb;border-radius:6px;font-size:16px}
button{margin-top:18px;padding:11px 16px;border:0;border-radius:6px;font-size:16px;cursor:pointer}
.primary{background:var(--primary);color:#fff}
.secondary{background:#e4e4e4;color:#222}
.actions{display:flex;gap:10px}
.error{background:#fdecea;color:#8a1c12;padding:10px;border-radius:6px;margin-bottom:12px}
.hint{font-size:12px;color:#666;margin-top:16px}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;margin:0}
dt{color:#666}
dd{margin:0;font-weight:600;word-break:break-all}
.amount{font-size:26px;font-weight:700;color:var(--primary);margin:4px 0 16px}
.account{display:flex;gap:8px;align-items:center;padding:8px 0;border-bottom:1px solid #eee;font-size:14px}
`;
}
