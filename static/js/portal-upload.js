/* Resumable uploads for the application's documents page (no framework). Without this script the
   forms post the file as a plain multipart form. With it, a file goes in 256 KB pieces: POST the
   name/type/size to data-begin, then PUT each piece with Content-Range; after a broken connection
   it asks (HEAD) how much arrived and goes on from there. The server assembles and checks the file. */
(function () {
  "use strict";
  var PIECE = 256 * 1024, TRIES = 6;
  function csrf(form) { var i = form.querySelector("[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  function say(form, text) { var p = form.querySelector(".upload-progress"); if (p) { p.textContent = text; } }
  function wait(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function offset(url, token) {
    return fetch(url, { method: "HEAD", headers: { "X-CSRFToken": token }, credentials: "same-origin" })
      .then(function (r) { return parseInt(r.headers.get("Upload-Offset") || "0", 10); });
  }
  function send(form, file, url, token, from, tries) {
    if (from >= file.size) { return Promise.resolve(null); }
    var to = Math.min(from + PIECE, file.size);
    say(form, "กำลังอัปโหลด " + Math.floor((from / file.size) * 100) + "%");
    return fetch(url, {
      method: "PUT", credentials: "same-origin", body: file.slice(from, to),
      headers: { "X-CSRFToken": token, "Content-Range": "bytes " + from + "-" + (to - 1) + "/" + file.size,
                 "Content-Type": "application/octet-stream" }
    }).then(function (r) {
      return r.json().then(function (body) {
        if (r.status === 201) { return body; }
        if (r.ok) { return send(form, file, url, token, body.received, TRIES); }
        if (r.status === 409) { return send(form, file, url, token, body.received, tries); }
        throw new Error(body.error || "อัปโหลดไม่สำเร็จ");
      });
    }, function () {
      if (tries <= 0) { throw new Error("การเชื่อมต่อขาดหาย กรุณาลองใหม่อีกครั้ง"); }
      say(form, "การเชื่อมต่อขาดหาย กำลังลองต่อจากส่วนที่ส่งแล้ว…");
      return wait(1500).then(function () { return offset(url, token); })
        .then(function (got) { return send(form, file, url, token, got, tries - 1); },
              function () { return send(form, file, url, token, from, tries - 1); });
    });
  }
  function upload(form, event) {
    var input = form.querySelector("input[type=file]"), file = input && input.files && input.files[0];
    if (!file || !window.fetch || !file.slice) { return; }
    event.preventDefault();
    var token = csrf(form), data = new FormData();
    data.append("doc_type", form.querySelector("[name=doc_type]").value);
    data.append("name", file.name);
    data.append("size", String(file.size));
    fetch(form.getAttribute("data-begin"), { method: "POST", body: data, credentials: "same-origin",
                                              headers: { "X-CSRFToken": token } })
      .then(function (r) { return r.json().then(function (b) { if (!r.ok) { throw new Error(b.error); } return b; }); })
      .then(function (b) { return send(form, file, b.url, token, 0, TRIES); })
      .then(function (b) { say(form, "อัปโหลดเรียบร้อย"); window.location.assign((b && b.next) || window.location.href); })
      .catch(function (e) { say(form, e.message || "อัปโหลดไม่สำเร็จ"); });
  }
  var forms = document.querySelectorAll("form.apply-upload[data-begin]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (e) { upload(e.currentTarget, e); });
  }
})();
