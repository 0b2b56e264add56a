/**
 * One stylesheet per template. Each pairs with its frame in templates.ts: the markup order differs per template
 * too (classic puts details first, compact folds them away, receipt prints them as lines), not only colours.
 */
export const templateCss: Record<string, string> = {
  default: `
body{--bg:#f4f6f8;--accent:#0b57d0}
.top{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:1rem 1.25rem;background:#fff;border-bottom:1px solid #e1e6eb}
.top .brand{font-weight:700}
.wrap{max-width:980px;margin:0 auto;padding:1.25rem;display:grid;gap:1.25rem}
.panel{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px rgba(16,24,40,.08)}
.hero .amount{font-size:2rem;display:block}
.side{display:grid;gap:1rem;align-content:start}
.foot{max-width:980px;margin:0 auto;padding:0 1.25rem 2rem}
@media (min-width:760px){.wrap{grid-template-columns:minmax(0,1.4fr) minmax(0,1fr)}.hero{grid-column:1/-1}}
`,
  classic: `
body{--bg:#eceff1;--accent:#1d3b5c;--radius:2px;font-family:Georgia,"Times New Roman",serif}
.bar{background:#1d3b5c;color:#fff;display:flex;justify-content:space-between;align-items:center;padding:.6rem 1.25rem;font-family:system-ui,sans-serif}
.bar a{color:#fff}
.bar .langs a[aria-current]{color:#fff}
.crumbs{max-width:760px;margin:1rem auto 0;padding:0 1.25rem}
.doc{max-width:760px;margin:1rem auto;background:#fff;border:1px solid #b0bec5;padding:1.5rem}
.doc h1{font-size:1.5rem;border-bottom:2px solid #1d3b5c;padding-bottom:.5rem}
.doc .side{margin-bottom:1.25rem}
.doc dl.details{border:1px solid #cfd8dc;padding:.75rem;background:#fafbfc}
.doc .btn{width:auto;float:right;text-transform:uppercase;letter-spacing:.04em}
.doc form::after{content:"";display:block;clear:both}
.doc select{border-radius:2px}
.foot{max-width:760px;margin:0 auto 2rem;padding:0 1.25rem;font-family:system-ui,sans-serif}
`,
  compact: `
body{--bg:#fff;--accent:#111;--radius:6px;font-size:15px}
.card{max-width:420px;margin:0 auto;padding:1rem}
.line{display:flex;flex-wrap:wrap;align-items:baseline;gap:.35rem;margin-bottom:.75rem}
.line .amount{font-size:1.35rem}
.line .who{display:inline;color:#5f6b7a}
.line .hero-line{display:flex;flex-wrap:wrap;align-items:baseline;gap:.35rem}
.card details{border:1px solid #e5e7eb;border-radius:6px;padding:.5rem .75rem;margin-bottom:.75rem}
.card summary{cursor:pointer;font-weight:600}
.card details dl{margin-top:.5rem;font-size:.875rem}
.method{padding:.5rem .6rem;margin-bottom:.35rem}
.method img{display:none}
.card .foot{display:flex;justify-content:space-between;gap:1rem;margin-top:1rem}
`,
  cards: `
body{--bg:#f7f5ff;--accent:#5b3cc4;--radius:14px}
.banner{background:linear-gradient(135deg,#5b3cc4,#7650e0);color:#fff;padding:1.5rem 1.25rem 3.5rem}
.banner .row{max-width:1040px;margin:0 auto;display:flex;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.banner a{color:#fff}
.banner .amount{font-size:2.5rem;display:block}
.banner .hero-line .who{color:#ece6ff}
.strip{max-width:1040px;margin:-2.5rem auto 0;padding:0 1.25rem}
.strip dl.details{background:#fff;border-radius:14px;padding:1rem;box-shadow:0 6px 20px rgba(60,30,140,.12);grid-template-columns:repeat(auto-fit,minmax(140px,1fr));grid-auto-flow:row}
.strip dl.details>div{display:flex;flex-direction:column}
.grid-wrap{max-width:1040px;margin:1.5rem auto;padding:0 1.25rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.75rem}
.tiles .method{flex-direction:column;text-align:center;padding:1rem .75rem;margin:0;position:relative;box-shadow:0 2px 8px rgba(60,30,140,.08)}
.tiles .method img{width:56px;height:56px}
.tiles .method input{position:absolute;top:.6rem;left:.6rem}
.foot{max-width:1040px;margin:0 auto 2rem;padding:0 1.25rem}
`,
  glass: `
body{--bg:#0f172a;--fg:#f8fafc;--muted:#cbd5e1;--accent:#38bdf8;--on-accent:#0f172a;--line:rgba(255,255,255,.35);--card:rgba(255,255,255,.08);--link:#7dd3fc;--radius:16px;min-height:100vh;background:radial-gradient(circle at 20% 10%,rgba(124,58,237,.5) 0,transparent 40%),radial-gradient(circle at 90% 80%,rgba(14,165,233,.45) 0,transparent 45%),#0f172a}
.stage{max-width:1000px;margin:0 auto;padding:1.5rem 1rem;display:grid;gap:1rem}
.pane{background:rgba(15,23,42,.45);border:1px solid rgba(255,255,255,.25);border-radius:20px;padding:1.5rem;backdrop-filter:blur(18px) saturate(140%);-webkit-backdrop-filter:blur(18px) saturate(140%);box-shadow:0 10px 40px rgba(0,0,0,.35)}
.hero{text-align:center}
.hero .amount{display:block;font-size:clamp(2.25rem,9vw,3.5rem);letter-spacing:-.02em}
.hero .hero-line .who{color:var(--muted)}
.methods-chips{display:flex;flex-wrap:wrap;gap:.5rem}
.methods-chips .method{border-radius:999px;padding:.45rem .9rem .45rem .5rem;margin:0}
.methods-chips .method img{width:28px;height:28px;border-radius:50%}
input[type=text],select{background:rgba(255,255,255,.92)}
.badge{background:rgba(255,255,255,.2);color:#fff}
.top{display:flex;justify-content:space-between;align-items:center}
.pane .qr{margin:1rem 0}
@media (min-width:860px){.stage{grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);align-items:start}.top{grid-column:1/-1}}
`,
  sheet: `
body{--bg:#0b5d4b;--accent:#0b5d4b;--radius:12px;min-height:100vh;display:flex;flex-direction:column}
.cover{color:#fff;padding:1.25rem 1.25rem 4rem;text-align:center}
.cover a{color:#fff}
.cover .langs{justify-content:flex-end}
.cover .amount{display:block;font-size:2.75rem;margin-top:1rem}
.cover .hero-line .who{color:#d7efe8}
.sheet{flex:1;background:#fff;color:#17202a;border-radius:24px 24px 0 0;margin-top:-2.5rem;padding:.75rem 1.25rem 6rem;box-shadow:0 -8px 30px rgba(0,0,0,.2);max-width:640px;width:100%;align-self:center}
.sheet::before{content:"";display:block;width:44px;height:5px;border-radius:3px;background:#c9d1d9;margin:0 auto 1rem}
.sheet details{margin-bottom:1rem}
.sheet summary{cursor:pointer;font-weight:600}
.sheet .pay-bar{position:fixed;left:0;right:0;bottom:0;padding:.75rem 1.25rem calc(.75rem + env(safe-area-inset-bottom));background:#fff;border-top:1px solid #e1e6eb;z-index:2}
.sheet .pay-bar .btn{max-width:600px;margin:0 auto;display:flex}
.sheet .foot{margin-top:1rem}
`,
  receipt: `
body{--bg:#e9e4da;--accent:#222;--radius:0;font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:15px}
.paper{max-width:440px;margin:1.5rem auto;background:#fffdf7;padding:1.5rem 1.25rem 2rem;box-shadow:0 2px 10px rgba(0,0,0,.12);position:relative}
.paper::after{content:"";position:absolute;left:0;right:0;bottom:-10px;height:10px;background:linear-gradient(-45deg,transparent 6px,#fffdf7 0) 0 0/12px 12px,linear-gradient(45deg,transparent 6px,#fffdf7 0) 0 0/12px 12px}
.paper header{text-align:center;text-transform:uppercase;letter-spacing:.08em}
.paper hr{border:0;border-top:2px dashed #999;margin:1rem 0}
.paper dl.details{grid-template-columns:1fr auto;font-size:.875rem}
.paper dl.details dd{text-align:right}
.total .hero-line{display:flex;justify-content:space-between;font-size:1.25rem;font-weight:700;text-transform:uppercase}
.total .hero-line .label{display:inline}
.total .hero-line .who{display:none}
.paper .method{border-style:dashed}
.paper .langs{justify-content:center;margin-top:.5rem}
.paper .foot{text-align:center;margin-top:1rem}
`,
};
