import Hummingbird
import Mustache

/// The web survey's pages: Mustache templates (every `{{value}}` is HTML-escaped), their two languages, and the
/// small stylesheet and script they share. The form works without the script; the script only counts answers
/// and stops a double submit.
enum SurveyPages {
    static let library = MustacheLibrary.pages(["layout": layout, "form": form, "message": message], of: "survey")

    /// Renders `template` inside the layout.
    static func render(_ template: String, _ context: [String: Any], status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        let html = library.page(template, context)
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// UI strings; questionnaire wording comes from the questionnaire itself.
    static let strings: [Language: [String: String]] = [
        .vi: [
            "title": "Khảo sát sự hài lòng",
            "intro":
                "Ý kiến của Ông/Bà giúp cơ quan phục vụ tốt hơn. Khảo sát ẩn danh, mất khoảng 2 phút; có thể bỏ qua câu không muốn trả lời.",
            "switch": "English",
            "dossier": "Mã hồ sơ (nếu có)",
            "officer": "Cán bộ tiếp nhận",
            "optional": "Không bắt buộc",
            "comment": "Góp ý thêm",
            "comment_hint": "Tối đa 1.000 ký tự.",
            "phone": "Số điện thoại để cơ quan liên hệ lại",
            "phone_hint": "Chỉ dùng để liên hệ lại về góp ý này; được mã hóa khi lưu.",
            "consent": "Tôi đồng ý để cơ quan dùng số điện thoại này chỉ để liên hệ lại về góp ý của tôi.",
            "submit": "Gửi đánh giá",
            "sending": "Đang gửi…",
            "errors": "Vui lòng kiểm tra lại:",
            "progress": "Đã trả lời {n}/{total} câu",
            "website": "Để trống ô này",
            "thanks_title": "Cảm ơn Ông/Bà!",
            "thanks_body": "Ý kiến của Ông/Bà đã được ghi nhận và sẽ được dùng để cải thiện chất lượng phục vụ.",
            "link_title": "Liên kết không dùng được",
            "link_body": "Liên kết khảo sát này không hợp lệ hoặc đã hết hạn. Ông/Bà vẫn có thể trả lời khảo sát chung của cơ quan.",
            "link_general": "Mở khảo sát chung",
            "done_title": "Hồ sơ này đã được đánh giá",
            "done_body": "Mỗi hồ sơ được đánh giá một lần qua khảo sát trực tuyến. Cảm ơn Ông/Bà đã dành thời gian!",
            "limit_title": "Xin vui lòng thử lại sau",
            "limit_body": "Có quá nhiều lượt gửi từ cùng một địa chỉ mạng. Vui lòng thử lại sau {seconds} giây.",
            "missing_title": "Không tìm thấy cơ quan",
            "missing_body": "Địa chỉ khảo sát không đúng. Vui lòng quét lại mã QR trên phiếu hẹn.",
            "refused_title": "Không thể ghi nhận",
            "refused_body": "Biểu mẫu này không được gửi từ trình duyệt thông thường, nên không được ghi nhận.",
            "back": "Quay lại khảo sát",
            "err_none": "Vui lòng trả lời ít nhất một câu hỏi.",
            "err_level": "Vui lòng chọn một mức từ 1 đến 5.",
            "err_fast": "Ông/Bà gửi hơi nhanh. Vui lòng xem lại các câu trả lời rồi bấm Gửi lần nữa.",
            "err_stale": "Biểu mẫu đã cũ. Vui lòng xem lại các câu trả lời rồi bấm Gửi lần nữa.",
            "err_consent": "Vui lòng đánh dấu ô đồng ý nếu muốn để lại số điện thoại.",
            "err_phone": "Số điện thoại chưa đúng (ví dụ 0912 345 678).",
            "err_phone_off": "Cơ quan hiện chưa nhận số điện thoại qua khảo sát này.",
            "err_comment": "Góp ý tối đa 1.000 ký tự.",
            "err_dossier": "Mã hồ sơ chỉ gồm chữ, số và các dấu . _ - / (tối đa 64 ký tự).",
        ],
        .en: [
            "title": "Satisfaction survey",
            "intro":
                "Your opinion helps this office serve you better. The survey is anonymous and takes about 2 minutes; you may skip any question.",
            "switch": "Tiếng Việt",
            "dossier": "Dossier code (if any)",
            "officer": "Officer",
            "optional": "Optional",
            "comment": "Other comments",
            "comment_hint": "At most 1,000 characters.",
            "phone": "Phone number for a call-back",
            "phone_hint": "Used only to call you back about this feedback; stored encrypted.",
            "consent": "I agree that the office may use this number only to call me back about my feedback.",
            "submit": "Send",
            "sending": "Sending…",
            "errors": "Please check:",
            "progress": "{n} of {total} answered",
            "website": "Leave this empty",
            "thanks_title": "Thank you!",
            "thanks_body": "Your feedback has been recorded and will be used to improve the service.",
            "link_title": "This link cannot be used",
            "link_body": "This survey link is invalid or has expired. You can still answer the office's general survey.",
            "link_general": "Open the general survey",
            "done_title": "This dossier has already been rated",
            "done_body": "Each dossier is rated once through the online survey. Thank you for your time!",
            "limit_title": "Please try again later",
            "limit_body": "Too many submissions came from this network address. Please try again in {seconds} seconds.",
            "missing_title": "Office not found",
            "missing_body": "The survey address is wrong. Please scan the QR code on your receipt again.",
            "refused_title": "Not recorded",
            "refused_body": "This form was not sent by an ordinary browser, so it was not recorded.",
            "back": "Back to the survey",
            "err_none": "Please answer at least one question.",
            "err_level": "Please choose a level from 1 to 5.",
            "err_fast": "That was very quick. Please check your answers and press Send again.",
            "err_stale": "The form is out of date. Please check your answers and press Send again.",
            "err_consent": "Please tick the consent box if you leave a phone number.",
            "err_phone": "The phone number is not valid (for example 0912 345 678).",
            "err_phone_off": "This office does not take phone numbers through this survey yet.",
            "err_comment": "Comments are limited to 1,000 characters.",
            "err_dossier": "A dossier code has only letters, digits and . _ - / (at most 64 characters).",
        ],
    ]

    static let layout = """
        <!doctype html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}}{{#agency}} · {{agency}}{{/agency}}</title>
        <link rel="stylesheet" href="/assets/survey.css">
        <script src="/assets/survey.js" defer></script>
        </head>
        <body>
        <header class="top">
        <p class="brand">HaiLong · {{title}}</p>
        {{#switch_url}}<a class="lang" href="{{switch_url}}" hreflang="{{switch_lang}}" lang="{{switch_lang}}">{{s.switch}}</a>{{/switch_url}}
        </header>
        <main id="main">
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let form = """
        <h1>{{questionnaire_title}}</h1>
        <p class="agency">{{agency}}</p>
        <p class="intro">{{s.intro}}</p>
        {{#has_errors}}
        <div class="error-summary" role="alert" tabindex="-1" id="errors">
        <h2>{{s.errors}}</h2>
        <ul>{{#errors}}<li><a href="#{{target}}">{{message}}</a></li>{{/errors}}</ul>
        </div>
        {{/has_errors}}
        <form method="post" action="{{action}}" novalidate data-progress="{{s.progress}}" data-sending="{{s.sending}}" data-total="{{total}}">
        <input type="hidden" name="rid" value="{{rid}}">
        <input type="hidden" name="stamp" value="{{stamp}}">
        <input type="hidden" name="lang" value="{{lang}}">
        {{#t}}<input type="hidden" name="t" value="{{t}}">{{/t}}
        {{#officer}}<input type="hidden" name="officer" value="{{officer}}">{{/officer}}
        <div class="trap" aria-hidden="true">
        <label for="website">{{s.website}}</label>
        <input type="text" id="website" name="website" tabindex="-1" autocomplete="off">
        </div>
        <div class="field">
        {{#dossier_locked}}
        <p><span class="label">{{s.dossier}}</span> <strong>{{dossier}}</strong></p>
        {{/dossier_locked}}
        {{^dossier_locked}}
        <label for="dossier">{{s.dossier}}</label>
        {{#dossier_error}}<p class="error" id="dossier-error">{{dossier_error}}</p>{{/dossier_error}}
        <input type="text" id="dossier" name="dossier" value="{{dossier}}" maxlength="64" autocomplete="off"{{#dossier_error}} aria-invalid="true" aria-describedby="dossier-error"{{/dossier_error}}>
        {{/dossier_locked}}
        {{#officer_name}}<p><span class="label">{{s.officer}}</span> <strong>{{officer_name}}</strong></p>{{/officer_name}}
        </div>
        {{#sections}}
        <section class="element" aria-labelledby="el-{{code}}">
        <h2 id="el-{{code}}"><span class="num">{{number}}</span> {{title}}</h2>
        {{#questions}}
        <fieldset class="question{{#error}} invalid{{/error}}" id="q-{{id}}"{{#error}} aria-describedby="q-{{id}}-error"{{/error}}>
        <legend>{{text}}</legend>
        {{#error}}<p class="error" id="q-{{id}}-error">{{error}}</p>{{/error}}
        <div class="scale">
        {{#options}}
        <input type="radio" id="{{input_id}}" name="{{code}}" value="{{value}}"{{#checked}} checked{{/checked}}>
        <label for="{{input_id}}" class="level level-{{value}}"><span class="n">{{value}}</span> <span class="t">{{label}}</span></label>
        {{/options}}
        </div>
        </fieldset>
        {{/questions}}
        </section>
        {{/sections}}
        <div class="field">
        <label for="comment">{{s.comment}} <span class="hint">({{s.optional}})</span></label>
        <p class="hint" id="comment-hint">{{s.comment_hint}}</p>
        {{#comment_error}}<p class="error" id="comment-error">{{comment_error}}</p>{{/comment_error}}
        <textarea id="comment" name="comment" rows="4" maxlength="1000" aria-describedby="comment-hint{{#comment_error}} comment-error{{/comment_error}}"{{#comment_error}} aria-invalid="true"{{/comment_error}}>{{comment}}</textarea>
        </div>
        {{#accepts_contact}}
        <div class="field contact">
        <label for="phone">{{s.phone}} <span class="hint">({{s.optional}})</span></label>
        <p class="hint" id="phone-hint">{{s.phone_hint}}</p>
        {{#phone_error}}<p class="error" id="phone-error">{{phone_error}}</p>{{/phone_error}}
        <input type="tel" id="phone" name="phone" value="{{phone}}" autocomplete="tel" inputmode="tel" maxlength="20" aria-describedby="phone-hint{{#phone_error}} phone-error{{/phone_error}}"{{#phone_error}} aria-invalid="true"{{/phone_error}}>
        {{#consent_error}}<p class="error" id="consent-error">{{consent_error}}</p>{{/consent_error}}
        <div class="check">
        <input type="checkbox" id="consent" name="consent" value="yes"{{#consent}} checked{{/consent}}{{#consent_error}} aria-invalid="true" aria-describedby="consent-error"{{/consent_error}}>
        <label for="consent">{{s.consent}}</label>
        </div>
        </div>
        {{/accepts_contact}}
        <p class="progress" aria-live="polite" hidden></p>
        <button type="submit" class="send">{{s.submit}}</button>
        </form>
        """

    static let message = """
        <div class="message {{kind}}">
        <h1>{{heading}}</h1>
        {{#agency}}<p class="agency">{{agency}}</p>{{/agency}}
        <p>{{text}}</p>
        {{#link_url}}<p><a class="button" href="{{link_url}}">{{link_text}}</a></p>{{/link_url}}
        </div>
        """

    static let css = """
        :root{--red:#a4161a;--ink:#1b1f24;--muted:#4b5563;--line:#d0d5dd;--ok:#146c2e;--bad:#b42318;--focus:#1d4ed8}
        *{box-sizing:border-box}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;font-size:1.0625rem;
        line-height:1.55;color:var(--ink);background:#f6f7f9}
        .top{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.75rem 1rem;background:var(--red);color:#fff}
        .brand{margin:0;font-weight:600}
        .lang{color:#fff;font-weight:600;padding:.5rem .75rem;border:2px solid #fff;border-radius:8px;text-decoration:none;min-height:44px;
        display:inline-flex;align-items:center}
        main{max-width:46rem;margin:0 auto;padding:1rem}
        h1{font-size:1.5rem;line-height:1.3;margin:.5rem 0}
        h2{font-size:1.2rem;margin:0 0 .5rem}
        .agency{font-weight:600;color:var(--red);margin:.25rem 0}
        .intro,.hint{color:var(--muted)}
        .hint{font-size:.95rem;margin:.1rem 0 .4rem;font-weight:normal}
        .element{background:#fff;border:1px solid var(--line);border-radius:12px;padding:1rem;margin:1rem 0}
        .num{display:inline-block;min-width:1.8rem;height:1.8rem;border-radius:50%;background:var(--red);color:#fff;text-align:center;
        font-size:1rem;line-height:1.8rem;margin-right:.35rem}
        fieldset{border:0;border-top:1px solid #eceef2;margin:0;padding:1rem 0 .75rem}
        fieldset:first-of-type{border-top:0}
        legend{float:left;width:100%;font-weight:600;padding:0;margin-bottom:.5rem}
        legend+*{clear:both}
        .scale{display:grid;grid-template-columns:repeat(5,1fr);gap:.4rem}
        .scale input{position:absolute;opacity:0;width:1px;height:1px}
        .level{display:flex;flex-direction:column;align-items:center;justify-content:center;min-height:64px;padding:.35rem .2rem;
        border:2px solid var(--line);border-radius:10px;background:#fff;text-align:center;cursor:pointer;font-size:.85rem;line-height:1.2}
        .level .n{font-size:1.25rem;font-weight:700}
        .scale input:checked+.level{border-color:var(--red);background:#fdecec;box-shadow:inset 0 0 0 2px var(--red)}
        .scale input:focus-visible+.level{outline:3px solid var(--focus);outline-offset:2px}
        @media (max-width:30rem){.scale{grid-template-columns:1fr}.level{flex-direction:row;justify-content:flex-start;gap:.75rem;
        min-height:48px;padding:.5rem .75rem;font-size:1rem;text-align:left}}
        .field{margin:1rem 0}
        label{font-weight:600;display:block}
        input[type=text],input[type=tel],textarea{width:100%;font:inherit;padding:.65rem .75rem;border:2px solid #98a2b3;border-radius:8px;
        background:#fff;color:var(--ink)}
        input:focus-visible,textarea:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
        .check{display:flex;gap:.6rem;align-items:flex-start;margin-top:.6rem}
        .check input{width:1.5rem;height:1.5rem;flex:none;margin-top:.15rem}
        .check label{font-weight:normal}
        .send,.button{display:inline-block;font:inherit;font-weight:700;font-size:1.15rem;color:#fff;background:var(--red);border:0;
        border-radius:10px;padding:.9rem 2rem;min-height:56px;cursor:pointer;text-decoration:none}
        .send[disabled]{opacity:.6}
        .error{color:var(--bad);font-weight:600;margin:.2rem 0 .4rem}
        .invalid .level{border-color:var(--bad)}
        [aria-invalid=true]{border-color:var(--bad)!important}
        .error-summary{border:3px solid var(--bad);background:#fff;border-radius:10px;padding:.75rem 1rem;margin:1rem 0}
        .error-summary a{color:var(--bad)}
        .trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
        .progress{color:var(--muted)}
        .message{background:#fff;border:1px solid var(--line);border-radius:12px;padding:1.5rem;margin-top:1.5rem}
        .message.thanks h1{color:var(--ok)}
        """

    static let javascript = """
        // Progressive enhancement only: the form works without this script.
        (function () {
          'use strict';
          var form = document.querySelector('form[data-progress]');
          if (!form) { return; }
          var summary = document.getElementById('errors');
          if (summary) { summary.focus(); }
          var progress = form.querySelector('.progress');
          var total = Number(form.getAttribute('data-total'));
          function update() {
            var names = {};
            form.querySelectorAll('.scale input:checked').forEach(function (input) { names[input.name] = true; });
            var n = Object.keys(names).length;
            progress.textContent = form.getAttribute('data-progress').replace('{n}', n).replace('{total}', total);
            progress.hidden = false;
          }
          form.addEventListener('change', update);
          update();
          var button = form.querySelector('button[type=submit]');
          var label = button.textContent;
          form.addEventListener('submit', function (event) {
            if (button.disabled) { event.preventDefault(); return; }
            button.disabled = true;
            button.textContent = form.getAttribute('data-sending');
          });
          // Coming back to this page from the browser's history must not leave the button disabled.
          window.addEventListener('pageshow', function () {
            button.disabled = false;
            button.textContent = label;
          });
        })();
        """
}
