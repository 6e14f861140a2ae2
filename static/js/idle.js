// Idle sign-out warning (portal/accounts/middleware.py): a minute before the
// server signs an unused session out, show the banner; "继续使用" asks the
// keep-alive address, which restarts the server's clock. At the end, reload:
// the server signs out and shows the sign-in page.
(function () {
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-idle-timeout"), 10);
  var banner = document.querySelector(".idle-warning");
  if (!seconds || !banner) return;
  var warnTimer, endTimer;
  function start() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    banner.hidden = true;
    warnTimer = setTimeout(function () { banner.hidden = false; }, Math.max(seconds - 60, 0) * 1000);
    endTimer = setTimeout(function () { window.location.reload(); }, (seconds + 2) * 1000);
  }
  banner.querySelector("button").addEventListener("click", function () {
    fetch(body.getAttribute("data-keepalive"), { credentials: "same-origin" }).then(start);
  });
  start();
})();
