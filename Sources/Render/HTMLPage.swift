/// A standalone HTML page around a plan's SVG. The SVG's `<title>`
/// tooltips already work without script; a few lines of inline script turn
/// them into a tooltip that appears at once and follows the mouse. No
/// external resources, so the page works offline and from a file URL.
enum HTMLPage {
    static func wrap(svg: String, title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(XMLText.escape(title))</title>
        <style>
        body{margin:12px;background:#fff;font-family:"DejaVu Sans",Arial,sans-serif}
        svg{max-width:100%;height:auto;display:block}
        svg rect.iv:hover{stroke:#000;stroke-width:1.5}
        #tip{position:fixed;display:none;pointer-events:none;z-index:1;background:#222;color:#fff;
        padding:6px 9px;border-radius:4px;font:12px/1.45 "DejaVu Sans Mono",monospace;white-space:pre}
        </style>
        </head>
        <body>
        \(svg)<div id="tip"></div>
        <script>
        (function () {
          var tip = document.getElementById("tip");
          var svg = document.querySelector("svg");
          svg.querySelectorAll("rect.iv > title").forEach(function (t) {
            t.parentNode.setAttribute("data-tip", t.textContent);
            t.parentNode.removeChild(t);
          });
          svg.addEventListener("mousemove", function (e) {
            var text = e.target.getAttribute && e.target.getAttribute("data-tip");
            if (!text) { tip.style.display = "none"; return; }
            tip.textContent = text;
            tip.style.display = "block";
            var x = e.clientX + 14, y = e.clientY + 14;
            if (x + tip.offsetWidth > window.innerWidth) x = e.clientX - tip.offsetWidth - 10;
            if (y + tip.offsetHeight > window.innerHeight) y = e.clientY - tip.offsetHeight - 10;
            tip.style.left = x + "px";
            tip.style.top = y + "px";
          });
          svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });
        })();
        </script>
        </body>
        </html>

        """
    }
}
