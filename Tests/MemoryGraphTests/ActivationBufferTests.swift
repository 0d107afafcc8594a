import Testing
@testable import MemoryGraph

@Suite struct ActivationBufferTests {
    @Test func exportsHalfOpenLifetimes() throws {
        let g = try GraphFixtures.diamond()
        let rows = try g.activationBuffers()
        #expect(rows == [
            ActivationBuffer(id: "x", lower: 0, upper: 1, size: 100),
            ActivationBuffer(id: "a", lower: 0, upper: 3, size: 10),
            ActivationBuffer(id: "b", lower: 1, upper: 4, size: 20),
            ActivationBuffer(id: "c", lower: 2, upper: 4, size: 30),
            ActivationBuffer(id: "d", lower: 3, upper: 4, size: 40),
        ])
        #expect(ActivationBuffer.csv(rows) == "id,lower,upper,size\nx,0,1,100\na,0,3,10\nb,1,4,20\nc,2,4,30\nd,3,4,40\n")
    }

    @Test func leavesOutEmptyTensors() throws {
        let tensors = [Tensor(name: "x", kind: .input, bytes: 0), Tensor(name: "y", kind: .activation, bytes: 4)]
        let g = try Graph(name: "g", tensors: tensors, operators: [Operator(name: "p", type: "Shape", inputs: [0], outputs: [1])], outputs: [1])
        #expect(try g.activationBuffers().map(\.id) == ["y"])
    }

    @Test func quotesIdsThatNeedIt() {
        let rows = [
            ActivationBuffer(id: "a,b", lower: 0, upper: 1, size: 1),
            ActivationBuffer(id: "say \"hi\"", lower: 0, upper: 1, size: 1),
            ActivationBuffer(id: " padded", lower: 0, upper: 1, size: 1),
            ActivationBuffer(id: "/layer1/Conv_output_0", lower: 0, upper: 1, size: 1),
        ]
        let expected = "id,lower,upper,size\n" + "\"a,b\",0,1,1\n" + "\"say \"\"hi\"\"\",0,1,1\n"
            + "\" padded\",0,1,1\n" + "/layer1/Conv_output_0,0,1,1\n"
        #expect(ActivationBuffer.csv(rows) == expected)
    }
}
