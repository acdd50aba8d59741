import CKSCore

/// Renders ROC curves as a standalone SVG image: one polyline per test set, AUC in the legend.
public enum ROCPlot {
  /// One curve to draw.
  public struct Curve: Sendable {
    public var name: String
    public var auc: Double
    public var points: [ROCPoint]

    public init(name: String, auc: Double, points: [ROCPoint]) {
      self.name = name
      self.auc = auc
      self.points = points
    }
  }

  static let palette = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
  ]

  /// The SVG document (480 × 480 plot area plus margins and legend).
  public static func svg(_ curves: [Curve], title: String = "ROC") -> String {
    let size = 480.0
    let left = 60.0
    let top = 40.0
    let legendHeight = Double(curves.count) * 18 + 10
    let width = left + size + 20
    let height = top + size + 50 + legendHeight
    func x(_ value: Double) -> String { fixed(left + value * size) }
    func y(_ value: Double) -> String { fixed(top + (1 - value) * size) }
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(x(0.5))" y="24" text-anchor="middle" font-size="15">\(escape(title))</text>
      <rect x="\(x(0))" y="\(y(1))" width="\(Int(size))" height="\(Int(size))" fill="none" stroke="#333"/>
      <line x1="\(x(0))" y1="\(y(0))" x2="\(x(1))" y2="\(y(1))" stroke="#aaa" stroke-dasharray="4 4"/>

      """
    for tick in stride(from: 0.0, through: 1.0, by: 0.2) {
      svg +=
        "<text x=\"\(x(tick))\" y=\"\(fixed(top + size + 16))\" text-anchor=\"middle\">\(fixed(tick, 1))</text>\n"
      svg +=
        "<text x=\"\(fixed(left - 6))\" y=\"\(fixed(top + (1 - tick) * size + 4))\" text-anchor=\"end\">\(fixed(tick, 1))</text>\n"
    }
    svg +=
      "<text x=\"\(x(0.5))\" y=\"\(fixed(top + size + 34))\" text-anchor=\"middle\">False positive rate</text>\n"
    svg +=
      "<text transform=\"translate(16 \(y(0.5))) rotate(-90)\" text-anchor=\"middle\">True positive rate</text>\n"
    for (index, curve) in curves.enumerated() {
      let color = palette[index % palette.count]
      let points = curve.points.map { "\(x($0.falsePositiveRate)),\(y($0.truePositiveRate))" }
      svg +=
        "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\" points=\"\(points.joined(separator: " "))\"/>\n"
      let legendY = top + size + 56 + Double(index) * 18
      svg +=
        "<line x1=\"\(fixed(left))\" y1=\"\(fixed(legendY - 4))\" x2=\"\(fixed(left + 24))\" y2=\"\(fixed(legendY - 4))\" stroke=\"\(color)\" stroke-width=\"3\"/>\n"
      svg +=
        "<text x=\"\(fixed(left + 30))\" y=\"\(fixed(legendY))\">\(escape(curve.name)) (AUC \(formatAUC(curve.auc)))</text>\n"
    }
    return svg + "</svg>\n"
  }

  static func fixed(_ value: Double, _ decimals: Int = 2) -> String {
    let scale = decimals == 1 ? 10.0 : 100.0
    let rounded = (value * scale).rounded() / scale
    return rounded == rounded.rounded() ? String(Int(rounded)) : "\(rounded)"
  }

  static func escape(_ text: String) -> String {
    var result = ""
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      default: result.append(character)
      }
    }
    return result
  }
}
