/** Shared by every template: reset, type, form controls, focus, status, steps. Templates lay pages out. */
export const baseCss = `
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg,#17202a);background:var(--bg,#f4f6f8);min-width:320px}
h1,h2,h3{line-height:1.2;margin:0 0 .5rem}
p{margin:0 0 .75rem}
a{color:var(--link,#0b57d0)}
img{max-width:100%;height:auto}
.skip{position:absolute;left:-9999px;top:0;background:#fff;color:#000;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
:focus-visible{outline:3px solid var(--focus,#1a73e8);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.langs{display:flex;gap:.5rem;list-style:none;margin:0;padding:0;font-size:.875rem}
.langs a[aria-current]{font-weight:700;text-decoration:none;color:inherit}
.amount{font-variant-numeric:tabular-nums;font-weight:700}
dl.details{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.35rem 1rem}
dl.details dt{color:var(--muted,#5f6b7a)}
dl.details dd{margin:0;overflow-wrap:anywhere}
dl.details>div{display:contents}
.hero-line{margin:0}
.hero-line .label{display:none}
.hero-line .who{display:block;color:var(--muted,#5f6b7a)}
figure{margin:0}
.qr{text-align:center}
fieldset{border:0;margin:0 0 1rem;padding:0;min-width:0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
label{cursor:pointer}
.field{margin:0 0 .75rem}
.field label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{display:block;color:var(--muted,#5f6b7a);font-size:.875rem}
input[type=text],input[type=password],textarea,select{font:inherit;width:100%;padding:.65rem .75rem;border:1px solid var(--line,#9aa5b1);border-radius:var(--radius,8px);background:#fff;color:#17202a;min-height:44px}
.method{display:flex;align-items:center;gap:.75rem;padding:.75rem;border:1px solid var(--line,#c9d1d9);border-radius:var(--radius,8px);background:var(--card,#fff);margin-bottom:.5rem;min-height:44px}
.method input{width:1.25rem;height:1.25rem;flex:none;accent-color:var(--accent,#0b57d0)}
.method:has(input:checked){border-color:var(--accent,#0b57d0);box-shadow:0 0 0 2px var(--accent,#0b57d0) inset}
.method img{width:36px;height:36px;border-radius:8px;flex:none}
.method .m-name{display:block;font-weight:600}
.method .m-sub{display:block;font-size:.8125rem;color:var(--muted,#5f6b7a)}
.ask{border:1px dashed var(--line,#c9d1d9);border-radius:var(--radius,8px);padding:.75rem}
.ask[hidden]{display:none}
.btn{display:inline-flex;justify-content:center;align-items:center;gap:.5rem;font:inherit;font-weight:700;border:0;border-radius:var(--radius,8px);padding:.8rem 1.25rem;min-height:48px;background:var(--accent,#0b57d0);color:var(--on-accent,#fff);cursor:pointer;text-decoration:none;width:100%}
.btn:hover{filter:brightness(1.08)}
.btn[disabled]{opacity:.6;cursor:progress}
.btn.secondary{background:transparent;color:var(--accent,#0b57d0);border:2px solid currentColor}
.alert{border-radius:var(--radius,8px);padding:.75rem 1rem;margin:0 0 1rem;background:#fdecea;color:#7a1c14;border:1px solid #f5c2bd}
.status{display:flex;flex-direction:column;gap:.5rem}
.badge{display:inline-block;align-self:flex-start;padding:.2rem .6rem;border-radius:999px;font-size:.8125rem;font-weight:700;background:#e8eef7;color:#12355b}
.badge[data-final=ok]{background:#e3f4e8;color:#0d5a2a}
.badge[data-final=bad]{background:#fdecea;color:#7a1c14}
.steps{list-style:none;margin:0;padding:0;display:flex;gap:.25rem;counter-reset:s}
.steps li{flex:1;font-size:.75rem;color:var(--muted,#5f6b7a);border-top:4px solid var(--line,#c9d1d9);padding-top:.35rem}
.steps li[data-state=done]{border-color:var(--accent,#0b57d0);color:inherit}
.steps li[data-state=current]{border-color:var(--accent,#0b57d0);color:inherit;font-weight:700}
.qr{display:none}
.qr img{width:168px;height:168px;background:#fff;padding:6px;border-radius:8px}
@media (min-width:900px) and (hover:hover){.qr{display:block}}
.foot{font-size:.8125rem;color:var(--muted,#5f6b7a)}
.spin{width:1rem;height:1rem;border:3px solid currentColor;border-right-color:transparent;border-radius:50%;display:inline-block;animation:r 1s linear infinite}
@keyframes r{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.spin{animation:none}*{transition:none!important}}
`;
