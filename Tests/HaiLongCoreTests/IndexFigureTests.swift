import Foundation
import HaiLongCore
import Testing

@Suite("IndexFigure")
struct IndexFigureTests {
    let kiosk = Fixtures.kiosk3.scale
    let standard = Methodology.standard

    @Test("the standard methodology is the documented default")
    func standardMethodology() {
        #expect(standard.minN == 30)
        #expect(standard.parMax == 10)
        #expect(standard.fullAt == 90)
        #expect(Set(standard.excludedFlags) == [.rapidRepeat, .duplicateDossier, .test])
        #expect(standard.excludedMask == 1 | 2 | 4)
    }

    @Test("counts 3 × 1, 5 × 2, 12 × 3 on kiosk-3")
    func kioskFigure() throws {
        let figure = IndexFigure(validByLevel: [1: 3, 2: 5, 3: 12], excluded: 4, scale: kiosk, methodology: standard)
        // n = 3 + 5 + 12 = 20; satisfied = levels 2 and 3 = 5 + 12 = 17.
        #expect(figure.n == 20)
        #expect(figure.satisfied == 17)
        #expect(figure.excluded == 4)
        // index = 100 × 17 / 20 = 85.
        #expect(figure.index == 85)
        // mean = (1×3 + 2×5 + 3×12) / 20 = (3 + 10 + 36) / 20 = 49 / 20 = 2.45.
        #expect(figure.mean == 2.45)
        // 20 < 30 (min_n).
        #expect(figure.sufficient == false)
        // par points = 10 × min(1, 85 / 90) = 9.444…, 9.44 when rounded half-up to 2 decimals.
        let par = try #require(figure.parPoints)
        #expect(abs(par - 850.0 / 90.0) < 1e-12)
        #expect(par.roundedHalfUp() == 9.44)
        #expect(figure.parMax == 10)
    }

    @Test("the Wilson 95% interval of 17/20 matches the formula worked by hand and the published value")
    func wilson17of20() throws {
        // z = 1.959963984540054, z² = 3.8414588206941254, n = 20, p = 17/20 = 0.85
        // denominator = 1 + z²/n = 1 + 0.19207294103470626 = 1.1920729410347062
        // centre = (p + z²/2n) / denominator = (0.85 + 0.09603647051735313) / 1.1920729410347062 = 0.7936061946815133
        // half = z × sqrt(p(1−p)/n + z²/4n²) / denominator
        //      = 1.959963984540054 × sqrt(0.006375 + 0.0024009117629338285) / 1.1920729410347062
        //      = 1.959963984540054 × 0.09367983648007627 / 1.1920729410347062 = 0.15402505942227018
        // lower = 0.7936061946815133 − 0.15402505942227018 = 0.6395811352592431
        // upper = 0.7936061946815133 + 0.15402505942227018 = 0.9476312541037835
        let interval = try #require(IndexFigure.wilson(successes: 17, trials: 20))
        #expect(abs(interval.lowerBound - 0.6395811352592431) < 1e-9)
        #expect(abs(interval.upperBound - 0.9476312541037835) < 1e-9)
        // Published Wilson interval for 17/20: [0.6396, 0.9476].
        #expect(abs(interval.lowerBound - 0.6396) < 0.00005)
        #expect(abs(interval.upperBound - 0.9476) < 0.00005)
        #expect(interval.lowerBound.roundedHalfUp(places: 4) == 0.6396)
        #expect(interval.upperBound.roundedHalfUp(places: 4) == 0.9476)

        // The figure's ci95 is the same interval in percent.
        let figure = IndexFigure(validByLevel: [1: 3, 2: 5, 3: 12], excluded: 0, scale: kiosk, methodology: standard)
        let ci = try #require(figure.ci95)
        #expect(abs(ci.lowerBound - 63.95811352592431) < 1e-7)
        #expect(abs(ci.upperBound - 94.76312541037835) < 1e-7)
    }

    @Test("the Wilson interval of 0/n and n/n stays inside [0, 1]")
    func wilsonExtremes() throws {
        // 0/10: centre = half = (z²/2n) / (1 + z²/n), so lower = 0 and upper = (z²/n) / (1 + z²/n)
        //       = 0.38414588206941254 / 1.3841458820694125 = 0.2775327998628892.
        let none = try #require(IndexFigure.wilson(successes: 0, trials: 10))
        #expect(none.lowerBound >= 0)
        #expect(none.lowerBound < 1e-12)
        #expect(abs(none.upperBound - 0.2775327998628892) < 1e-9)
        #expect(none.upperBound <= 1)
        // 10/10 mirrors it: [1 − 0.2775327998628892, 1].
        let all = try #require(IndexFigure.wilson(successes: 10, trials: 10))
        #expect(all.upperBound <= 1)
        #expect(all.upperBound > 1 - 1e-12)
        #expect(abs(all.lowerBound - (1 - 0.2775327998628892)) < 1e-9)
        #expect(all.lowerBound >= 0)
        #expect(IndexFigure.wilson(successes: 0, trials: 0) == nil)
    }

    @Test("an index at full_at earns exactly the full PAR points and n = min_n is sufficient")
    func indexAtFullAt() throws {
        // 27 satisfied of 30: index = 100 × 27 / 30 = 90 = full_at, points = 10 × min(1, 90/90) = 10.
        let figure = IndexFigure(validByLevel: [1: 3, 2: 7, 3: 20], excluded: 0, scale: kiosk, methodology: standard)
        #expect(figure.n == 30)
        #expect(figure.satisfied == 27)
        #expect(figure.index == 90)
        #expect(figure.parPoints == 10)
        // 30 ≥ 30 (min_n).
        #expect(figure.sufficient == true)
        // mean = (3 + 14 + 60) / 30 = 77 / 30.
        let mean = try #require(figure.mean)
        #expect(abs(mean - 77.0 / 30.0) < 1e-12)
    }

    @Test("an index above full_at is capped at the full PAR points")
    func indexAboveFullAt() throws {
        // 29 of 30: index = 96.666…, points = 10 × min(1, 96.67/90) = 10 × 1 = 10.
        let figure = IndexFigure(validByLevel: [1: 1, 3: 29], excluded: 0, scale: kiosk, methodology: standard)
        let index = try #require(figure.index)
        #expect(abs(index - 2900.0 / 30.0) < 1e-12)
        #expect(index.roundedHalfUp() == 96.67)
        #expect(figure.parPoints == 10)
    }

    @Test("a non-default methodology changes the thresholds")
    func otherMethodology() {
        let lenient = Methodology(code: "x", version: 2, excludedFlags: [], minN: 20, parMax: 5, fullAt: 80)
        // 85 ≥ 80 → full 5 points; 20 ≥ 20 → sufficient.
        let figure = IndexFigure(validByLevel: [1: 3, 2: 5, 3: 12], excluded: 0, scale: kiosk, methodology: lenient)
        #expect(figure.parPoints == 5)
        #expect(figure.parMax == 5)
        #expect(figure.sufficient == true)
    }

    @Test("no valid answers: no index, interval, mean or points, and not sufficient")
    func noAnswers() {
        let figure = IndexFigure(validByLevel: [:], excluded: 7, scale: kiosk, methodology: standard)
        #expect(figure.n == 0)
        #expect(figure.satisfied == 0)
        #expect(figure.excluded == 7)
        #expect(figure.index == nil)
        #expect(figure.ci95 == nil)
        #expect(figure.mean == nil)
        #expect(figure.parPoints == nil)
        #expect(figure.sufficient == false)
        #expect(figure.parMax == 10)
    }

    @Test("levels with zero counts are no answers")
    func zeroCounts() {
        let figure = IndexFigure(validByLevel: [1: 0, 2: 0, 3: 0], excluded: 0, scale: kiosk, methodology: standard)
        #expect(figure.n == 0)
        #expect(figure.index == nil)
    }

    @Test("a five-level scale counts levels 4 and 5 as satisfied")
    func sipasScale() throws {
        // n = 1 + 2 + 2 + 3 + 2 = 10; satisfied = 3 + 2 = 5; index = 50;
        // mean = (1 + 4 + 6 + 12 + 10) / 10 = 33 / 10 = 3.3.
        let figure = IndexFigure(
            validByLevel: [1: 1, 2: 2, 3: 2, 4: 3, 5: 2], excluded: 0, scale: Fixtures.sipas5.scale,
            methodology: standard)
        #expect(figure.n == 10)
        #expect(figure.satisfied == 5)
        #expect(figure.index == 50)
        #expect(figure.mean == 3.3)
        // 10 × 50 / 90 = 5.555… → 5.56
        #expect(figure.parPoints?.roundedHalfUp() == 5.56)
    }
}

@Suite("Double.roundedHalfUp")
struct RoundedHalfUpTests {
    @Test(
        "rounds half away from zero to 2 decimals despite binary representation error",
        arguments: [
            (2.675, 2.68), (1.005, 1.01), (9.444, 9.44), (9.445, 9.45), (85.0, 85.0), (0.125, 0.13),
            (99.995, 100.0), (2.665, 2.67), (0.004, 0.0), (850.0 / 90.0, 9.44), (-2.675, -2.68),
        ])
    func twoPlaces(value: Double, expected: Double) {
        #expect(value.roundedHalfUp() == expected)
    }

    @Test("other numbers of places")
    func otherPlaces() {
        #expect(0.63955.roundedHalfUp(places: 4) == 0.6396)
        #expect(2.5.roundedHalfUp(places: 0) == 3)
        #expect(9.4449.roundedHalfUp(places: 3) == 9.445)
    }
}
