/* The offline story player of photoorg export-story.
   Reads the slides from the JSON block in index.html; two layers cross-fade;
   each photo zooms slowly about its focus point, never pushing the keep box
   (faces) out of the window; a video highlight plays in place. Keys: Space play/pause, arrows previous/next,
   F full screen. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("story-data").textContent);
  var slides = data.slides;
  var layers = [document.getElementById("layer-a"), document.getElementById("layer-b")];
  var music = document.getElementById("music");
  var front = 0, index = -1, playing = false, timer = null, due = 0, remaining = 0, anim = null, clip = null;
  var MIN_FILL_SHARE = 0.72, ZOOM = data.zoom || 1.1;
  document.documentElement.style.setProperty("--fade", data.transition + "s");

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // Where the photo lies in the window and how it is shown (cover or contain).
  function frameOf(s) {
    var W = window.innerWidth, H = window.innerHeight, A = W / H, a = s.w / s.h;
    var share = a > A ? A / a : a / A;
    var k = s.keep, kw = k[2] - k[0], kh = k[3] - k[1];
    var cx = (k[0] + k[2]) / 2, cy = (k[1] + k[3]) / 2;
    var fill = share >= MIN_FILL_SHARE && (a > A ? kw <= A / a : kh <= a / A);
    var box; // the keep box in window fractions
    var pos = "50% 50%";
    if (fill) {
      if (a > A) {
        var v = A / a, o = clamp(clamp(cx - v / 2, 0, 1 - v), k[2] - v, k[0]);
        o = clamp(o, 0, 1 - v);
        pos = (v < 1 ? (o / (1 - v)) * 100 : 50) + "% 50%";
        box = [(k[0] - o) / v, k[1], (k[2] - o) / v, k[3]];
      } else {
        var vh = a / A, oy = clamp(clamp(cy - vh / 2, 0, 1 - vh), k[3] - vh, k[1]);
        oy = clamp(oy, 0, 1 - vh);
        pos = "50% " + (vh < 1 ? (oy / (1 - vh)) * 100 : 50) + "%";
        box = [k[0], (k[1] - oy) / vh, k[2], (k[3] - oy) / vh];
      }
    } else {
      var sw = a > A ? 1 : a / A, sh = a > A ? A / a : 1, ox = (1 - sw) / 2, oy2 = (1 - sh) / 2;
      box = [ox + k[0] * sw, oy2 + k[1] * sh, ox + k[2] * sw, oy2 + k[3] * sh];
    }
    // Zoom about the keep box's centre, no more than keeps the box inside.
    var fx = clamp((box[0] + box[2]) / 2, 0.02, 0.98), fy = clamp((box[1] + box[3]) / 2, 0.02, 0.98);
    var z = ZOOM;
    if (box[0] < fx) z = Math.min(z, fx / (fx - box[0]));
    if (box[2] > fx) z = Math.min(z, (1 - fx) / (box[2] - fx));
    if (box[1] < fy) z = Math.min(z, fy / (fy - box[1]));
    if (box[3] > fy) z = Math.min(z, (1 - fy) / (box[3] - fy));
    return { fill: fill, pos: pos, fx: fx, fy: fy, zoom: Math.max(1, z) };
  }

  function build(s, i) {
    var move = el("div", "move");
    if (s.type === "title") {
      if (s.src) { var b = el("img", "backdrop"); b.src = s.src; b.alt = ""; move.appendChild(b); }
      var card = el("div", "title-card");
      card.appendChild(el("h1", null, data.title));
      if (data.dates) card.appendChild(el("p", null, data.dates));
      if (data.place) card.appendChild(el("p", null, data.place));
      move.appendChild(card);
      return { node: move, fx: 0.5, fy: 0.5, zoom: 1.04 };
    }
    if (s.video) {  // a video highlight plays (no zoom), its still behind it
      var back = el("img", "backdrop"); back.src = s.src; back.alt = ""; move.appendChild(back);
      var v = el("video", "photo fit clip");
      v.src = s.video; v.poster = s.src; v.muted = s.muted !== false; v.playsInline = true; v.preload = "auto";
      move.appendChild(v);
      return { node: move, fx: 0.5, fy: 0.5, zoom: 1, video: v };
    }
    var f = frameOf(s);
    if (!f.fill) { var bd = el("img", "backdrop"); bd.src = s.src; bd.alt = ""; move.appendChild(bd); }
    var img = el("img", "photo " + (f.fill ? "fill" : "fit"));
    img.src = s.src;
    img.alt = s.alt || "";
    img.style.objectPosition = f.pos;
    move.appendChild(img);
    return { node: move, fx: f.fx, fy: f.fy, zoom: f.zoom };
  }

  function show(i) {
    index = (i + slides.length) % slides.length;
    var s = slides[index], layer = layers[1 - front], built = build(s, index);
    layers[1 - front].querySelectorAll("video").forEach(function (v) { v.pause(); });
    layer.replaceChildren(built.node);
    clip = built.video || null;
    if (clip && playing) clip.play().catch(function () {});
    if (music) music.volume = clip && !clip.muted ? 0.3 : 1;  // the music lowered under the clip's sound
    built.node.style.transformOrigin = (built.fx * 100) + "% " + (built.fy * 100) + "%";
    var zin = s.zin !== false, a = "scale(1)", b = "scale(" + built.zoom + ")";
    if (anim) anim = null;
    if (built.node.animate) {
      anim = built.node.animate([{ transform: zin ? a : b }, { transform: zin ? b : a }],
        { duration: s.dur * 1000, easing: "linear", fill: "forwards" });
      if (!playing) anim.pause();
    }
    layer.classList.add("on");
    layers[front].classList.remove("on");
    front = 1 - front;
    document.getElementById("counter").textContent = (index + 1) + " / " + slides.length;
    var next = slides[(index + 1) % slides.length];
    if (next && next.src) { var pre = new Image(); pre.src = next.src; }
    schedule((s.dur - (index === slides.length - 1 ? 0 : data.transition)) * 1000);
  }

  function schedule(ms) {
    clearTimeout(timer);
    remaining = ms;
    if (playing) { due = Date.now() + ms; timer = setTimeout(advance, ms); }
  }

  function advance() {
    if (index >= slides.length - 1) { finish(); return; }
    show(index + 1);
  }

  function finish() {
    playing = false;
    if (clip) clip.pause();
    layers.forEach(function (l) { l.classList.remove("on"); });
    if (music) fadeOut(music);
    setPlayIcon();
    document.getElementById("start").hidden = false;
    index = -1;
  }

  function fadeOut(audio) {
    var steps = 30, n = 0, v0 = audio.volume;
    var id = setInterval(function () {
      n += 1; audio.volume = Math.max(0, v0 * (1 - n / steps));
      if (n >= steps) { clearInterval(id); audio.pause(); audio.volume = v0; }
    }, 100);
  }

  function setPlayIcon() {
    document.getElementById("play").innerHTML = playing ? "&#10074;&#10074;" : "&#9654;";
  }

  function play() {
    if (playing) return;
    playing = true;
    document.getElementById("start").hidden = true;
    if (index < 0) {
      if (music) { music.currentTime = 0; }
      show(0);
    } else {
      if (anim) anim.play();
      if (clip) clip.play().catch(function () {});
      schedule(remaining);
    }
    if (music) music.play().catch(function () {});
    setPlayIcon();
  }

  function pause() {
    if (!playing) return;
    playing = false;
    clearTimeout(timer);
    remaining = Math.max(0, due - Date.now());
    if (anim) anim.pause();
    if (clip) clip.pause();
    if (music) music.pause();
    setPlayIcon();
  }

  function step(d) {
    var was = playing;
    playing = false;
    clearTimeout(timer);
    show(Math.max(0, index) + d);
    playing = was;
    if (was) { if (anim) anim.play(); if (clip) clip.play().catch(function () {}); schedule(remaining); }
  }

  document.getElementById("play").onclick = function () { playing ? pause() : play(); };
  document.getElementById("prev").onclick = function () { step(-1); };
  document.getElementById("next").onclick = function () { step(1); };
  document.getElementById("start-button").onclick = play;
  document.getElementById("full").onclick = function () {
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  };
  document.addEventListener("keydown", function (e) {
    if (e.key === " ") { e.preventDefault(); playing ? pause() : play(); }
    else if (e.key === "ArrowRight") step(1);
    else if (e.key === "ArrowLeft") step(-1);
    else if (e.key === "f" || e.key === "F") document.getElementById("full").click();
  });

  // Browsers only start sound after a click: with music, wait for one.
  if (music) { document.getElementById("start").hidden = false; } else { play(); }
})();
