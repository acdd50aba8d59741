import Foundation
import Testing

@testable import CKSCore

@Suite struct CosineTests {
  @Test func maxErrorBelowOneMillionth() {
    var maxError = 0.0
    var x: Float = -200
    while x < 200 {
      let error = abs(Double(FastCosine.cos(SIMD16(repeating: x))[0]) - Foundation.cos(Double(x)))
      maxError = max(maxError, error)
      x = x.nextUp.nextUp.nextUp + 0.000_7
    }
    #expect(maxError < 1e-6, "max |fast - cos| = \(maxError)")
  }

  @Test(arguments: [0, Float.pi / 2, Float.pi, -Float.pi, 3 * Float.pi / 2, 1000, -1000, 1e4])
  func specialPoints(_ x: Float) {
    #expect(abs(Double(FastCosine.cos(x)) - Foundation.cos(Double(x))) < 1e-6)
  }

  @Test func lanesAreIndependent() {
    let input = SIMD16<Float>((0..<16).map { Float($0) * 0.7 - 5 })
    let output = FastCosine.cos(input)
    for lane in 0..<16 {
      #expect(abs(Double(output[lane]) - Foundation.cos(Double(input[lane]))) < 1e-6)
    }
  }
}
