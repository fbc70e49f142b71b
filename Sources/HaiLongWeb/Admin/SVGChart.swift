import Foundation
import HaiLongStore

/// Charts drawn by the server as inline SVG: no script, no external file, readable when printed. Every chart has a
/// `role="img"` with a text label, and the page shows the same figures in a table for screen readers and copying.
enum SVGChart {
    /// One point of a line chart: an index with its 95% interval, or a gap.
    struct Point {
        var label: String
        var value: Double?
        var low: Double?
        var high: Double?
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// An index over time on a 0–100 scale: the interval as a band, the index as a line with dots; a missing value
    /// breaks the line.
    static func line(_ points: [Point], title: String, width: Double = 640, height: Double = 220) -> String {
        let left = 36.0, right = 32.0, top = 10.0, bottom = 28.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let step = points.count > 1 ? plotWidth / Double(points.count - 1) : 0
        func x(_ index: Int) -> Double { left + (points.count > 1 ? Double(index) * step : plotWidth / 2) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - min(max(value, 0), 100) / 100) }
        var svg = """
            <svg class="chart" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-label="\(escape(title))" \
            xmlns="http://www.w3.org/2000/svg">
            """
        for tick in stride(from: 0.0, through: 100, by: 25) {
            svg += """
                <line x1="\(f(left))" x2="\(f(width - right))" y1="\(f(y(tick)))" y2="\(f(y(tick)))" class="grid"/>\
                <text x="\(f(left - 4))" y="\(f(y(tick) + 4))" class="axis" text-anchor="end">\(Int(tick))</text>
                """
        }
        // The band and the line, one segment per run of points that have a value.
        var runs: [[Int]] = []
        var run: [Int] = []
        for (index, point) in points.enumerated() {
            if point.value != nil {
                run.append(index)
            } else if !run.isEmpty {
                runs.append(run)
                run = []
            }
        }
        if !run.isEmpty { runs.append(run) }
        for run in runs {
            let upper = run.map { "\(f(x($0))),\(f(y(points[$0].high ?? points[$0].value!)))" }
            let lower = run.reversed().map { "\(f(x($0))),\(f(y(points[$0].low ?? points[$0].value!)))" }
            svg += "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\"/>"
            svg += "<polyline class=\"line\" points=\"\(run.map { "\(f(x($0))),\(f(y(points[$0].value!)))" }.joined(separator: " "))\"/>"
        }
        let labelEvery = max(1, Int((Double(points.count) / 12).rounded(.up)))
        for (index, point) in points.enumerated() {
            if let value = point.value {
                svg +=
                    "<circle class=\"dot\" cx=\"\(f(x(index)))\" cy=\"\(f(y(value)))\" r=\"3\"><title>\(escape(point.label)): \(f(value))</title></circle>"
            }
            if index % labelEvery == 0 {
                svg +=
                    "<text x=\"\(f(x(index)))\" y=\"\(f(height - 8))\" class=\"axis\" text-anchor=\"middle\">\(escape(point.label))</text>"
            }
        }
        return svg + "</svg>"
    }

    /// Horizontal bars on a 0–100 scale, one per item, the value written at the end of the bar.
    static func bars(_ items: [(label: String, value: Double)], title: String, decimalComma: Bool, width: Double = 640) -> String {
        let rowHeight = 26.0, labelWidth = 220.0, right = 56.0
        let height = max(rowHeight * Double(items.count), rowHeight)
        let plotWidth = width - labelWidth - right
        var svg = """
            <svg class="chart" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-label="\(escape(title))" \
            xmlns="http://www.w3.org/2000/svg">
            """
        for (index, item) in items.enumerated() {
            let top = Double(index) * rowHeight
            let length = plotWidth * min(max(item.value, 0), 100) / 100
            var number = String(format: "%.2f", item.value)
            if decimalComma { number = number.replacingOccurrences(of: ".", with: ",") }
            svg += """
                <text x="\(f(labelWidth - 6))" y="\(f(top + 17))" class="label" text-anchor="end">\(escape(item.label))</text>\
                <rect class="bar" x="\(f(labelWidth))" y="\(f(top + 5))" width="\(f(length))" height="\(f(rowHeight - 10))"/>\
                <text x="\(f(labelWidth + length + 4))" y="\(f(top + 17))" class="label">\(number)</text>
                """
        }
        return svg + "</svg>"
    }

    /// Hour of day × weekday: each cell's shade is its value against the largest (ratings), or the share itself
    /// (not satisfied, 0–100 %). Empty cells stay white.
    static func heatmap(
        _ cells: [HeatCell], value: (HeatCell) -> Double?, maximum: Double, title: String, weekdays: [String], hours: ClosedRange<Int>
    ) -> String {
        let cell = 22.0, left = 40.0, top = 18.0
        let width = left + cell * Double(hours.count) + 4, height = top + cell * 7 + 4
        var byKey: [Int: HeatCell] = [:]
        for item in cells { byKey[item.weekday * 24 + item.hour] = item }
        var svg = """
            <svg class="chart heat" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-label="\(escape(title))" \
            xmlns="http://www.w3.org/2000/svg">
            """
        for (column, hour) in hours.enumerated() where hour % 2 == 0 {
            svg += "<text x=\"\(f(left + Double(column) * cell + cell / 2))\" y=\"12\" class=\"axis\" text-anchor=\"middle\">\(hour)</text>"
        }
        for day in 0..<7 {
            svg +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(top + Double(day) * cell + 15))\" class=\"axis\" text-anchor=\"end\">\(escape(weekdays[day]))</text>"
            for (column, hour) in hours.enumerated() {
                let item = byKey[day * 24 + hour]
                let shade = item.flatMap(value).map { maximum > 0 ? min(1, $0 / maximum) : 0 }
                let fill = shade.map { "rgba(11,79,138,\(String(format: "%.2f", 0.08 + 0.92 * $0)))" } ?? "#fff"
                let tip = item.map { "\(weekdays[day]) \(hour):00 — \($0.n)" + (value($0).map { " (\(f($0)))" } ?? "") } ?? ""
                svg += """
                    <rect x="\(f(left + Double(column) * cell))" y="\(f(top + Double(day) * cell))" width="\(f(cell - 2))" \
                    height="\(f(cell - 2))" fill="\(fill)" class="cell"><title>\(escape(tip))</title></rect>
                    """
            }
        }
        return svg + "</svg>"
    }

    /// A word-sized line of an index over time (0–100), for a table cell; gaps where there is no figure.
    static func sparkline(_ values: [Double?], title: String, width: Double = 96, height: Double = 24) -> String {
        let step = values.count > 1 ? (width - 4) / Double(values.count - 1) : 0
        func point(_ index: Int, _ value: Double) -> String {
            "\(f(2 + Double(index) * step)),\(f(2 + (height - 4) * (1 - min(max(value, 0), 100) / 100)))"
        }
        var svg = """
            <svg class="spark" viewBox="0 0 \(f(width)) \(f(height))" width="\(f(width))" height="\(f(height))" role="img" \
            aria-label="\(escape(title))" xmlns="http://www.w3.org/2000/svg">
            """
        var run: [String] = []
        func flush() {
            if run.count > 1 { svg += "<polyline class=\"line\" points=\"\(run.joined(separator: " "))\"/>" }
            if run.count == 1 {
                svg +=
                    "<circle class=\"dot\" cx=\"\(run[0].split(separator: ",")[0])\" cy=\"\(run[0].split(separator: ",")[1])\" r=\"1.5\"/>"
            }
            run = []
        }
        for (index, value) in values.enumerated() {
            if let value { run.append(point(index, value)) } else { flush() }
        }
        flush()
        return svg + "</svg>"
    }
}
