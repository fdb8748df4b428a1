'use strict';
// The console's one script: confirmations, copy and download of generated text, and the console address
// chosen once on the Deploy page handed to each of its forms. Everything works without it except copy.
document.addEventListener('submit', (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
  const chosen = document.getElementById('consoleaddr');
  if (chosen) for (const input of event.target.querySelectorAll('input[data-mirror="consoleaddr"]')) input.value = chosen.value;
});
document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target.closest('button[data-copy], button[data-download]') : null;
  if (!target) return;
  if (target.dataset.copy) {
    const field = document.getElementById(target.dataset.copy);
    field.select();
    const done = () => { const s = document.getElementById('copied'); if (s) s.textContent = 'Copied'; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, () => {});
    else { document.execCommand('copy'); done(); }
  } else {
    const field = document.getElementById(target.dataset.download);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([field.value], {type: 'application/octet-stream'}));
    link.download = field.dataset.filename || 'download.txt';
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
});
