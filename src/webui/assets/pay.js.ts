/**
 * The only script of the hosted pages (no framework): live status over Server-Sent Events with a polling
 * fallback, the method-dependent input groups, one-click submit, and the return to the merchant.
 * Served as a file with a nonce'd <script src>; it reads its settings from data-* attributes.
 */
export const payJs = `(function(){
'use strict';
var d=document,root=d.querySelector('[data-live]');
function groups(){var f=d.querySelector('form[data-methods]');if(!f)return;
var sel=f.querySelector('select[name=method_id]'),cur=sel?sel.value:((f.querySelector('input[name=method_id]:checked')||{}).value||'');
f.querySelectorAll('.ask[data-method]').forEach(function(g){var on=g.getAttribute('data-method')===cur;g.hidden=!on;
g.querySelectorAll('input').forEach(function(i){i.disabled=!on;});});}
d.addEventListener('change',function(e){if(e.target&&e.target.name==='method_id')groups();});
groups();
d.querySelectorAll('form').forEach(function(f){f.addEventListener('submit',function(){var b=f.querySelector('button[type=submit]');
if(b){setTimeout(function(){b.disabled=true;},0);b.setAttribute('aria-busy','true');}});});
if(!root)return;
var url=root.getAttribute('data-live'),poll=root.getAttribute('data-poll'),last=root.getAttribute('data-status'),timer=null,es=null,left=null;
function set(sel,text){var el=root.querySelector(sel);if(el&&text!=null)el.textContent=text;}
function apply(s){if(!s||!s.status)return;
if(s.status!==last){last=s.status;root.setAttribute('data-status',s.status);}
set('[data-s=title]',s.title);set('[data-s=message]',s.message);
var b=root.querySelector('.badge');if(b){b.textContent=s.title;if(s.final)b.setAttribute('data-final',s.ok?'ok':'bad');}
var steps=root.querySelectorAll('.steps li');steps.forEach(function(li,i){li.setAttribute('data-state',i<s.step?'done':(i===s.step?'current':'todo'));
if(i===s.step)li.setAttribute('aria-current','step');else li.removeAttribute('aria-current');});
var sp=root.querySelector('.spin');if(sp&&s.final)sp.hidden=true;
var resume=root.querySelector('[data-s=resume]');if(resume)resume.hidden=!s.resume;
if(s.final){stop();if(s.redirect){var a=root.querySelector('[data-s=back]');if(a){a.href=s.redirect;a.hidden=false;}
set('[data-s=auto]',s.auto);if(!left)left=setTimeout(function(){location.assign(s.redirect);},4000);}}}
function stop(){if(es){es.close();es=null;}if(timer){clearInterval(timer);timer=null;}}
function get(){var x=new XMLHttpRequest();x.open('GET',poll);x.setRequestHeader('accept','application/json');
x.onload=function(){if(x.status===200){try{apply(JSON.parse(x.responseText));}catch(e){}}};x.send();}
function polling(){if(!timer){timer=setInterval(get,3000);get();}}
if(root.getAttribute('data-final')==='1'){apply(JSON.parse(root.getAttribute('data-state')||'{}'));return;}
if(window.EventSource){var fails=0;es=new EventSource(url);
es.addEventListener('status',function(e){fails=0;try{apply(JSON.parse(e.data));}catch(x){}});
es.onerror=function(){if(++fails>=3||es.readyState===2){if(es)es.close();es=null;polling();}};}
else polling();
})();`;
