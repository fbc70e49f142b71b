extension KioskAssets {
    /// Full-screen, touch-first: text scales with the screen (768 px portrait tablets to 1920 px landscape
    /// screens), every control is at least 64 px, nothing depends on hover.
    static let css = #"""
        :root {
          --ink: #1b1f24;
          --muted: #57606a;
          --paper: #f3f5f8;
          --card: #ffffff;
          --line: #d0d7de;
          --brand: #9f1d20;
          --primary: #1f4f9c;
          --very: #15803d;
          --good: #0e7490;
          --bad: #c2410c;
          --online: #1a7f37;
          --queued: #d29922;
          --offline: #cf222e;
          --touch: 64px;
          --radius: 20px;
          font-size: clamp(18px, calc(1.6vmin + 0.6vmax), 32px);
        }
        *, *::before, *::after { box-sizing: border-box; }
        [hidden] { display: none !important; }
        html, body { margin: 0; height: 100%; }
        body {
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
          background: var(--paper);
          color: var(--ink);
          line-height: 1.35;
          -webkit-tap-highlight-color: transparent;
          -webkit-user-select: none;
          user-select: none;
          overflow: hidden;
        }
        input, textarea { -webkit-user-select: text; user-select: text; }
        button, input, textarea { font: inherit; color: inherit; }
        button { touch-action: manipulation; cursor: pointer; }
        button:focus-visible, input:focus-visible, textarea:focus-visible, .reason:focus-within {
          outline: 4px solid #0969da; outline-offset: 3px;
        }
        .visually-hidden {
          position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
        }

        .screen { height: 100vh; height: 100dvh; padding: 1.2rem 1.6rem; }
        .screen-center { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 1.2rem; text-align: center; }
        .loading { font-size: 1.4rem; color: var(--muted); }
        h1, h2 { margin: 0; }
        .help { color: var(--muted); margin: 0; }
        .error { color: var(--offline); font-weight: 600; margin: 0; }
        .notice {
          background: #fff4e5; border: 2px solid var(--queued); border-radius: 12px; padding: .7rem 1rem; margin: 0; text-align: left;
        }

        .primary, .secondary {
          min-height: calc(var(--touch) + 8px); min-width: 10rem; padding: .5rem 1.4rem; border-radius: 16px;
          font-size: 1.2rem; font-weight: 700;
        }
        .primary { background: var(--primary); color: #fff; border: 3px solid var(--primary); }
        .secondary { background: var(--card); color: var(--ink); border: 3px solid var(--line); }
        .primary:active, .secondary:active, .rate:active, .reason:active, .officer-choice:active { transform: scale(.97); }
        .primary:disabled { opacity: .6; }

        .card { background: var(--card); border-radius: var(--radius); box-shadow: 0 2px 12px rgba(0, 0, 0, .08); }
        .pair { width: min(32rem, 100%); padding: 2rem; display: flex; flex-direction: column; gap: .9rem; text-align: left; }
        .pair h1 { color: var(--brand); font-size: 1.7rem; }
        .pair label { font-weight: 700; }
        #pair-code {
          min-height: calc(var(--touch) + 16px); font-size: 1.8rem; letter-spacing: .12em; text-align: center;
          border: 3px solid var(--line); border-radius: 14px; padding: .3rem .6rem; width: 100%;
        }
        #pair-code::placeholder { letter-spacing: normal; font-size: 1.3rem; }

        .lang-button, .staff-button {
          min-height: var(--touch); min-width: var(--touch); padding: 0 1.1rem; border-radius: calc(var(--touch) / 2);
          background: var(--card); border: 2px solid var(--line); font-size: 1rem; font-weight: 600;
          display: inline-flex; align-items: center; gap: .5rem;
        }
        .dot { width: 1.1rem; height: 1.1rem; border-radius: 50%; background: var(--online); flex: none; }
        .dot[data-state="queued"] { background: var(--queued); }
        .dot[data-state="offline"] { background: var(--offline); }
        .queue-count { background: var(--ink); color: #fff; border-radius: 1rem; padding: 0 .5rem; font-size: .85rem; min-width: 1.6rem; text-align: center; }
        .staff-button { touch-action: none; -webkit-touch-callout: none; } /* a long press must not scroll or pop a menu */
        .staff-button.pressing { border-color: var(--primary); background: #e8eefb; transition: background .8s; }

        .screen-rate { display: grid; grid-template-rows: auto auto auto 1fr auto; gap: 1rem; }
        .topbar { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
        .agency { font-size: 1.35rem; font-weight: 800; color: var(--brand); }
        .counter { font-size: 1.05rem; color: var(--muted); font-weight: 600; }
        .tools { display: flex; gap: .6rem; flex: none; }
        .hint {
          position: fixed; top: 5.5rem; right: 1.6rem; margin: 0; z-index: 5; max-width: 24rem;
          background: var(--ink); color: #fff; padding: .7rem 1rem; border-radius: 12px; font-size: .95rem;
        }

        .officer {
          display: flex; align-items: center; gap: 1.2rem; background: var(--card); border-radius: var(--radius);
          padding: .9rem 1.2rem; box-shadow: 0 2px 12px rgba(0, 0, 0, .06);
        }
        .avatar {
          width: 5.5rem; height: 5.5rem; border-radius: 50%; flex: none; overflow: hidden; background: #dbe4f0;
          display: flex; align-items: center; justify-content: center;
        }
        .officer.anonymous .avatar { display: none; }
        .avatar img { width: 100%; height: 100%; object-fit: cover; }
        .initials { font-size: 2.2rem; font-weight: 800; color: var(--primary); }
        .served-by { color: var(--muted); font-size: .9rem; text-transform: uppercase; letter-spacing: .04em; }
        .officer-name { font-size: 1.6rem; font-weight: 800; }
        .officer-title { font-size: 1.05rem; }
        .officer-badge { font-size: 1rem; color: var(--muted); font-weight: 600; }

        .question { text-align: center; font-size: 1.65rem; font-weight: 800; margin: .2rem 0; }

        .scale { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.2rem; min-height: 0; }
        .rate {
          border: none; border-radius: 28px; color: #fff; display: flex; flex-direction: column; align-items: center;
          justify-content: center; gap: 1rem; padding: 1rem; min-height: 12rem; font-size: 1.6rem; font-weight: 800;
          box-shadow: 0 6px 0 rgba(0, 0, 0, .18);
        }
        .rate.level-3 { background: var(--very); }
        .rate.level-2 { background: var(--good); }
        .rate.level-1 { background: var(--bad); }
        .face { width: min(9rem, 60%); height: auto; flex: none; }
        .face .head { fill: rgba(255, 255, 255, .16); stroke: #fff; stroke-width: 5; }
        .face .eye { fill: #fff; }
        .face .mouth { fill: none; stroke: #fff; stroke-width: 6; stroke-linecap: round; }
        .face .mouth-open { fill: #fff; stroke: #fff; stroke-width: 4; stroke-linejoin: round; }

        .dossier { display: flex; align-items: center; justify-content: center; gap: .8rem; flex-wrap: wrap; }
        .dossier label { color: var(--muted); font-weight: 600; }
        #dossier {
          min-height: var(--touch); width: min(18rem, 60vw); font-size: 1.1rem; padding: 0 .8rem;
          border: 2px solid var(--line); border-radius: 14px; background: var(--card);
        }
        .dossier-ok { color: var(--online); font-size: 1.6rem; font-weight: 800; }

        .screen-reasons { display: flex; flex-direction: column; gap: .9rem; }
        .reasons-title { font-size: 1.7rem; color: var(--bad); }
        .reasons { display: grid; grid-template-columns: repeat(4, 1fr); gap: .8rem; }
        .reason {
          position: relative; display: flex; align-items: center; gap: .8rem; min-height: calc(var(--touch) + 16px);
          padding: .5rem 1rem; background: var(--card); border: 3px solid var(--line); border-radius: 16px;
          font-size: 1.2rem; font-weight: 600; cursor: pointer;
        }
        .reason input { position: absolute; opacity: 0; width: 1px; height: 1px; }
        .reason .box {
          width: 2rem; height: 2rem; flex: none; border: 3px solid var(--muted); border-radius: 8px;
          display: flex; align-items: center; justify-content: center; color: #fff; font-weight: 900;
        }
        .reason.checked { border-color: var(--bad); background: #fff1ea; }
        .reason.checked .box { background: var(--bad); border-color: var(--bad); }
        .reason.checked .box::after { content: "✓"; }
        .comment-label { font-weight: 600; margin-top: .3rem; }
        .comment {
          width: 100%; min-height: calc(var(--touch) + 24px); font-size: 1.1rem; padding: .6rem .8rem; resize: none;
          border: 2px solid var(--line); border-radius: 14px; background: var(--card);
        }
        .actions { display: flex; justify-content: flex-end; gap: 1rem; margin-top: auto; flex-wrap: wrap; }
        .screen-reasons .actions .primary { min-width: 16rem; }

        .screen-thanks h1 { font-size: 2.4rem; color: var(--very); }
        .screen-thanks p { font-size: 1.3rem; color: var(--muted); margin: 0; }
        .thanks-mark { width: 11rem; height: 11rem; }
        .thanks-mark circle { fill: var(--very); }
        .thanks-mark path { fill: none; stroke: #fff; stroke-width: 9; stroke-linecap: round; stroke-linejoin: round; }

        .overlay {
          position: fixed; inset: 0; background: rgba(15, 23, 42, .55); display: flex; align-items: center;
          justify-content: center; padding: 1.2rem; z-index: 10;
        }
        .panel {
          background: var(--card); border-radius: var(--radius); padding: 1.4rem 1.6rem; width: min(40rem, 100%);
          max-height: 100%; overflow: auto; display: flex; flex-direction: column; gap: .8rem;
        }
        .panel h2 { font-size: 1.45rem; color: var(--brand); }
        .officer-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .6rem; }
        .officer-choice {
          width: 100%; min-height: calc(var(--touch) + 16px); display: flex; align-items: center; gap: 1rem; text-align: left;
          padding: .5rem 1rem; background: var(--card); border: 3px solid var(--line); border-radius: 16px;
        }
        .officer-choice .avatar { width: 3.4rem; height: 3.4rem; }
        .officer-choice .initials { font-size: 1.4rem; }
        .officer-choice .choice-text { display: flex; flex-direction: column; flex: 1; }
        .officer-choice .choice-name { font-weight: 800; font-size: 1.15rem; }
        .officer-choice .choice-detail { color: var(--muted); font-size: .95rem; }
        .officer-choice.current { border-color: var(--online); background: #eefbf1; }
        .officer-choice .tag { background: var(--online); color: #fff; border-radius: 1rem; padding: .1rem .7rem; font-size: .85rem; font-weight: 700; }
        .officer-choice.nobody { justify-content: center; color: var(--muted); font-weight: 600; }
        .kiosk-status { display: grid; grid-template-columns: repeat(2, 1fr); gap: .3rem 1rem; margin: .2rem 0; font-size: .95rem; }
        .kiosk-status div { display: flex; gap: .5rem; }
        .kiosk-status dt { color: var(--muted); }
        .kiosk-status dt::after { content: ":"; }
        .kiosk-status dd { margin: 0; font-weight: 700; }

        /* Portrait tablets: the three answers as wide bars, face beside the words. */
        @media (orientation: portrait) {
          .scale { grid-template-columns: 1fr; grid-template-rows: repeat(3, 1fr); }
          .rate { flex-direction: row; justify-content: flex-start; min-height: 8rem; padding: .8rem 2rem; gap: 1.6rem; font-size: 1.9rem; }
          .face { width: 6.5rem; height: 6.5rem; }
          .reasons { grid-template-columns: repeat(2, 1fr); }
        }
        @media (max-width: 560px) {
          .screen { padding: .8rem; }
          .topbar { flex-wrap: wrap; }
          .reasons { grid-template-columns: 1fr; }
        }
        """#
}
