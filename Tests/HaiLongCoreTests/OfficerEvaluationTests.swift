import HaiLongCore
import Testing

/// The evaluation rules on hand-computed figures (kiosk-3, levels 2 and 3 satisfied, minimum n 30).
@Suite struct OfficerEvaluationTests {
    /// An officer with `satisfied` of `n` ratings satisfied, and these violations in the year.
    func officer(_ badge: String, _ satisfied: Int, of n: Int, _ violations: [ViolationStatus] = []) -> OfficerStanding {
        let counts = FigureCounts(validByQuestion: ["overall": [3: satisfied, 1: n - satisfied]], respondents: n)
        let figure = QuestionnaireFigure(counts: counts, questionnaire: Fixtures.kiosk3, methodology: .standard)
        return OfficerStanding(badge: badge, name: badge, agency: "P.A", figure: figure, violations: violations)
    }

    @Test func theLowerBoundRanksSoAFewPerfectRatingsCannotTopManyGoodOnes() {
        // Wilson 95 % lower bounds, computed by hand: 291/300 → 94.40; 30/30 → 88.65; 8/8 is below the minimum n.
        let officers = [officer("few", 30, of: 30), officer("many", 291, of: 300), officer("eight", 8, of: 8)]
        #expect(abs(officers[1].figure!.ci95!.lowerBound - 94.40) < 0.01)
        #expect(abs(officers[0].figure!.ci95!.lowerBound - 88.65) < 0.01)
        let verdicts = OfficerEvaluation.evaluate(officers)
        #expect(verdicts.map(\.rank) == [2, 1, nil])
        #expect(verdicts[2].reasons == [.insufficient(n: 8)] && !verdicts[2].candidate)
    }

    @Test func equalBoundsShareARank() {
        let verdicts = OfficerEvaluation.evaluate([officer("a", 40, of: 50), officer("b", 45, of: 50), officer("c", 40, of: 50)])
        #expect(verdicts.map(\.rank) == [2, 1, 2])
    }

    @Test func onlyAConfirmedViolationCapsAndAnyOpenOneBarsCommendation() {
        let officers = [
            officer("clean", 290, of: 300), officer("confirmed", 295, of: 300, [.confirmed]),
            officer("pending", 296, of: 300, [.reported]), officer("dismissed", 297, of: 300, [.dismissed]),
        ]
        // Four ranked officers, top 10 % → the best one only, unless the share is widened.
        let verdicts = OfficerEvaluation.evaluate(officers)
        #expect(verdicts.map(\.ceiling) == [nil, OfficerEvaluation.ceiling, nil, nil])
        #expect(verdicts.map(\.candidate) == [false, false, false, true])
        let wide = OfficerEvaluation.evaluate(officers, candidateShare: 1)
        #expect(wide.map(\.candidate) == [true, false, false, true])
        #expect(wide[1].reasons.first == .violationConfirmed && wide[2].reasons.first == .violationPending)
        #expect(wide[1].reasons.first!.text(vietnamese: true).contains("không quá \"Hoàn thành nhiệm vụ\""))
    }

    @Test func theTopShareIsAtLeastOneOfficerAndCountsOnlyRankedOnes() {
        let verdicts = OfficerEvaluation.evaluate([officer("small", 3, of: 3), officer("only", 40, of: 40)])
        #expect(verdicts.map(\.candidate) == [false, true])
        guard case .topShare(_, let threshold, _) = verdicts[1].reasons.last else {
            Issue.record("no top-share reason")
            return
        }
        #expect(abs(threshold - 91.24) < 0.01)  // 40/40: 1 / (1 + 3.8415/40) = 0.9124
    }

    /// The reasons' numbers: two decimals, a comma in Vietnamese and a point in English, rounded half up.
    @Test func reasonsWriteTheirNumbersInEachLanguagesNotation() {
        let top = OfficerEvaluation.Reason.topShare(lowerBound: 83.5, threshold: 91.2449, share: 0.1)
        #expect(top.text(vietnamese: true) == "cận dưới 83,50 thuộc nhóm 10 % cao nhất (ngưỡng 91,24)")
        #expect(top.text(vietnamese: false) == "lower bound 83.50 is in the top 10 % (threshold 91.24)")
        let below = OfficerEvaluation.Reason.belowTopShare(lowerBound: 9.999, threshold: 0.05, share: 0.25)
        #expect(below.text(vietnamese: true) == "cận dưới 10,00 dưới ngưỡng nhóm 25 % cao nhất (0,05)")
        #expect(below.text(vietnamese: false) == "lower bound 10.00 is below the top 25 % (threshold 0.05)")
        #expect(
            OfficerEvaluation.Reason.topShare(lowerBound: 7.1, threshold: 100, share: 0.1).text(vietnamese: false).hasPrefix(
                "lower bound 7.10 "))
    }
}
